import { splitList } from './checks/define.js'
import { request } from './http.js'
import type { Discovery } from './types.js'

/** What the server says about itself in answer to OPTIONS (feature detection, tus 1.0.0). */
export async function discover(url: string, headers: Record<string, string>): Promise<Discovery> {
  const res = await request({ method: 'OPTIONS', url, headers })
  const maxSize = res.headers['tus-max-size']
  return {
    status: res.status,
    tusVersion: res.headers['tus-version'],
    tusResumable: res.headers['tus-resumable'],
    extensions: splitList(res.headers['tus-extension']),
    maxSize: maxSize !== undefined && /^\d+$/.test(maxSize) ? Number(maxSize) : undefined,
    checksumAlgorithms: splitList(res.headers['tus-checksum-algorithm']),
  }
}
