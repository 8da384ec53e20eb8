import { performance } from 'node:perf_hooks'
import { Client, Pool, request } from 'undici'
import { readCpuSeconds } from '../lib/proc-cpu.mjs'
import { quantile } from '../lib/stats.mjs'

/** Reads a response body to its end and returns its length (nothing is kept). */
async function drain(body) {
  let bytes = 0
  for await (const piece of body) bytes += piece.length
  return bytes
}

async function get(path, dispatcher, range, expected) {
  const response = await request(path, { method: 'GET', headers: range ? { range } : {}, dispatcher })
  const headersAt = performance.now()
  const status = range ? 206 : 200
  if (response.statusCode !== status) {
    const text = await response.body.text().catch(() => '')
    throw new Error(`GET ${path}: expected ${status}, got ${response.statusCode} ${text.slice(0, 200)}`)
  }
  const bytes = await drain(response.body)
  if (bytes !== expected) throw new Error(`GET ${path}: ${bytes} bytes, expected ${expected}`)
  return headersAt
}

/**
 * `count` GETs of finished small uploads (cycling through `urls`), `concurrency` at a time on
 * keep-alive connections, after `warmup` untimed ones; `range` (e.g. "bytes=1024-33791") asks each
 * for those bytes. Every answer is checked (status, byte count).
 * Returns { rate (GETs/s), p50, p99 (ms, whole response), cpuUs (server CPU µs per GET) }.
 */
export async function manyDownloads({ urls, pid, count, warmup, concurrency, range, bytes }) {
  const pool = new Pool(new URL(urls[0]).origin, { connections: concurrency, pipelining: 1 })
  const run = async (total, latencies) => {
    let next = 0
    const worker = async () => {
      while (next < total) {
        const url = urls[next++ % urls.length]
        const started = performance.now()
        await get(url, pool, range, bytes)
        latencies?.push(performance.now() - started)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker))
  }
  try {
    await run(warmup)
    const latencies = []
    const cpuBefore = readCpuSeconds(pid)
    const started = performance.now()
    await run(count, latencies)
    const seconds = (performance.now() - started) / 1000
    return {
      rate: count / seconds,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      cpuUs: ((readCpuSeconds(pid) - cpuBefore) * 1e6) / count,
    }
  } finally {
    await pool.close()
  }
}

/**
 * `concurrency` GETs sent at the same moment, each on its own (already open) keep-alive connection,
 * `rounds` times after an untimed round that opens the connections. Time to first byte = until the
 * response head arrived. Returns { ttfbP50, ttfbP99, p99 (whole response), ms }.
 */
export async function simultaneousDownloads({ urls, concurrency, rounds, bytes }) {
  const pool = new Pool(new URL(urls[0]).origin, { connections: concurrency, pipelining: 1 })
  const round = async (ttfbs, latencies) => {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        const started = performance.now()
        const headersAt = await get(urls[i % urls.length], pool, undefined, bytes)
        ttfbs?.push(headersAt - started)
        latencies?.push(performance.now() - started)
      }),
    )
  }
  try {
    await round()
    const ttfbs = []
    const latencies = []
    for (let i = 0; i < rounds; i++) await round(ttfbs, latencies)
    return {
      ttfbP50: quantile(ttfbs, 0.5),
      ttfbP99: quantile(ttfbs, 0.99),
      p99: quantile(latencies, 0.99),
    }
  } finally {
    await pool.close()
  }
}

/**
 * One big download (or the byte range `range` of it, `bytes` long), read to the end.
 * Returns { mbps (10^6 B/s), cpuPerGiB (server CPU s per GiB) }.
 */
export async function bigDownload({ url, pid, range, bytes }) {
  const client = new Client(new URL(url).origin, { bodyTimeout: 0, headersTimeout: 0 })
  try {
    const cpuBefore = readCpuSeconds(pid)
    const started = performance.now()
    await get(url, client, range, bytes)
    const seconds = (performance.now() - started) / 1000
    return { mbps: bytes / 1e6 / seconds, cpuPerGiB: ((readCpuSeconds(pid) - cpuBefore) * 2 ** 30) / bytes }
  } finally {
    await client.close()
  }
}
