import { setTimeout as sleep } from 'node:timers/promises'
import { Pool, request } from 'undici'
import { readMemory } from '../lib/proc-memory.mjs'
import { createUpload, expectStatus, OCTETS, payload, TUS, uploadOffsetOf } from '../lib/tus-client.mjs'

/**
 * `count` uploads created first, then all their PATCHes at once, each body trickling in as
 * `chunks` pieces of `chunk` bytes every `intervalMs`. Meanwhile the server's memory is sampled;
 * its peak is the kernel's high-water mark (VmHWM) of the fresh server process.
 * Returns { idleRss, peakRss (bytes), maxInFlight }.
 */
export async function slowUploads({ url, pid, count, chunk, chunks, intervalMs }) {
  const idleRss = readMemory(pid).rss
  const origin = new URL(url).origin
  const creator = new Pool(origin, { connections: 64 })
  const total = chunk * chunks
  const urls = []
  try {
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(64, count) }, async () => {
        while (next < count) {
          next++
          urls.push(await createUpload(url, total, creator))
        }
      }),
    )
  } finally {
    await creator.close()
  }

  const pool = new Pool(origin, { connections: count, bodyTimeout: 0, headersTimeout: 0 })
  const data = payload(chunk)
  let inFlight = 0
  let maxInFlight = 0
  let sampledPeak = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      sampledPeak = Math.max(sampledPeak, readMemory(pid).rss)
      await sleep(50)
    }
  })()
  async function* trickle() {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      for (let i = 0; i < chunks; i++) {
        await sleep(intervalMs)
        yield data
      }
    } finally {
      inFlight--
    }
  }
  try {
    await Promise.all(
      urls.map(async (uploadUrl) => {
        const response = await request(uploadUrl, {
          method: 'PATCH',
          headers: { ...TUS, 'content-type': OCTETS, 'upload-offset': '0', 'content-length': String(total) },
          body: trickle(),
          dispatcher: pool,
        })
        const offset = uploadOffsetOf(response)
        await expectStatus(response, 204, 'slow PATCH')
        if (offset !== total) throw new Error(`slow PATCH: Upload-Offset ${offset}, expected ${total}`)
      }),
    )
  } finally {
    sampling = false
    await sampler
    await pool.close()
  }
  const peakRss = Math.max(readMemory(pid).hwm, sampledPeak)
  return { idleRss, peakRss, maxInFlight }
}
