import { performance } from 'node:perf_hooks'
import { Client, request } from 'undici'
import { readCpuSeconds } from '../lib/proc-cpu.mjs'
import { createUpload, expectStatus, OCTETS, payload, TUS, uploadOffsetOf } from '../lib/tus-client.mjs'

/**
 * One big upload, as a single PATCH (chunkSize = 0) or as sequential PATCHes of chunkSize bytes.
 * The clock runs from the first PATCH to the last response; creation is not timed.
 * Returns { mbps, seconds, cpuPerGiB (server CPU seconds per GiB, when pid is given), uploadUrl }
 * with MB = 10^6 bytes.
 */
export async function bigUpload({ url, pid, size, chunkSize }) {
  const client = new Client(new URL(url).origin, { bodyTimeout: 0, headersTimeout: 0 })
  try {
    const uploadUrl = await createUpload(url, size, client)
    const piece = Math.min(chunkSize > 0 ? chunkSize : 2 ** 20, size)
    const data = payload(piece)
    const cpuBefore = pid ? readCpuSeconds(pid) : 0
    const started = performance.now()
    if (chunkSize > 0) {
      for (let offset = 0; offset < size; offset += chunkSize) {
        const length = Math.min(chunkSize, size - offset)
        const response = await request(uploadUrl, {
          method: 'PATCH',
          headers: { ...TUS, 'content-type': OCTETS, 'upload-offset': String(offset) },
          body: length === data.length ? data : data.subarray(0, length),
          dispatcher: client,
        })
        const newOffset = uploadOffsetOf(response)
        await expectStatus(response, 204, `PATCH at ${offset}`)
        if (newOffset !== offset + length) throw new Error(`PATCH at ${offset}: Upload-Offset ${newOffset}`)
      }
    } else {
      const response = await request(uploadUrl, {
        method: 'PATCH',
        headers: { ...TUS, 'content-type': OCTETS, 'upload-offset': '0', 'content-length': String(size) },
        body: slices(data, size),
        dispatcher: client,
      })
      const newOffset = uploadOffsetOf(response)
      await expectStatus(response, 204, 'single PATCH')
      if (newOffset !== size) throw new Error(`single PATCH: Upload-Offset ${newOffset}, expected ${size}`)
    }
    const seconds = (performance.now() - started) / 1000
    const cpuPerGiB = pid ? ((readCpuSeconds(pid) - cpuBefore) * 2 ** 30) / size : Number.NaN
    const patches = chunkSize > 0 ? Math.ceil(size / chunkSize) : 1
    return {
      mbps: size / 1e6 / seconds,
      seconds,
      cpuPerGiB,
      msPerPatch: (seconds * 1000) / patches,
      uploadUrl,
    }
  } finally {
    await client.close()
  }
}

/** The same buffer again and again until `size` bytes were produced (it is never modified). */
async function* slices(data, size) {
  for (let sent = 0; sent < size; sent += data.length) {
    yield size - sent >= data.length ? data : data.subarray(0, size - sent)
  }
}
