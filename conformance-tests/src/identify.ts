import { randomBytes } from 'node:crypto'
import { request } from './http.js'
import type { Discovery } from './types.js'

/** The URL answers HTTP, but not as a tus server: running 98 checks against it would say nothing. */
export class NotATusServer extends Error {
  override name = 'NotATusServer'
}

/**
 * Makes sure a tus server answers at `url` before the checks run. The OPTIONS answer usually shows
 * it (Tus-Version, Tus-Resumable); when it does not (a proxy may answer OPTIONS itself), a HEAD of
 * an upload that cannot exist must still come back with Tus-Resumable, as every tus answer does.
 */
export async function ensureTusServer(
  url: string,
  headers: Record<string, string>,
  discovery: Discovery,
): Promise<void> {
  if (discovery.tusVersion !== undefined || discovery.tusResumable !== undefined) return
  const probe = `${url.replace(/\/+$/, '')}/${randomBytes(16).toString('hex')}`
  const head = await request({
    method: 'HEAD',
    url: probe,
    headers: { ...headers, 'Tus-Resumable': '1.0.0' },
  })
  if (head.headers['tus-resumable'] !== undefined) return
  throw new NotATusServer(
    `${url} is not a tus server: OPTIONS answered ${discovery.status} without Tus-Version or Tus-Resumable, and HEAD of an unknown upload answered ${head.status} without Tus-Resumable (is this the creation URL, e.g. http://127.0.0.1:1080/files?)`,
  )
}
