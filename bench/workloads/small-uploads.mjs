import { performance } from 'node:perf_hooks'
import { Pool, request } from 'undici'
import { readCpuSeconds, readMachineCpuSeconds, readMainThreadCpuSeconds } from '../lib/proc-cpu.mjs'
import { quantile } from '../lib/stats.mjs'
import { expectStatus, multipartBody, OCTETS, payload, TUS, uploadOffsetOf } from '../lib/tus-client.mjs'

/**
 * Many small uploads, each one request (creation-with-upload), `concurrency` at a time over
 * keep-alive connections. A warm-up batch runs first and is not counted.
 * `headers` go on every request (e.g. Authorization). With `multipart`, each upload is instead one
 * multipart/form-data POST of a field "file" (express + multer), built once like the tus body.
 * Returns { rate (uploads/s), p50, p99 (ms), cpuUs (server CPU µs per upload, when pid is given),
 * loopCpuUs (of that, its main thread's: the event loop), machineCpuUs (busy CPU of the whole
 * machine per upload), machineBusy (0–1: how busy the machine's cores were) }.
 */
export async function smallUploads({ url, pid, size, count, warmup, concurrency, headers = {}, multipart }) {
  const pool = new Pool(new URL(url).origin, { connections: concurrency })
  const form = multipart ? multipartBody(payload(size)) : undefined
  const data = form ? form.body : payload(size)
  const requestHeaders = form
    ? { ...headers, 'content-type': form.contentType }
    : { ...TUS, ...headers, 'upload-length': String(size), 'content-type': OCTETS }
  const one = async () => {
    const response = await request(url, {
      method: 'POST',
      headers: requestHeaders,
      body: data,
      dispatcher: pool,
    })
    const offset = uploadOffsetOf(response)
    await expectStatus(response, 201, 'creation-with-upload')
    if (offset !== size) throw new Error(`creation-with-upload: Upload-Offset ${offset}, expected ${size}`)
  }
  const run = async (total, latencies) => {
    let next = 0
    const worker = async () => {
      while (next < total) {
        next++
        const started = performance.now()
        await one()
        latencies?.push(performance.now() - started)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker))
  }
  try {
    await run(warmup)
    const latencies = []
    const cpuBefore = pid ? readCpuSeconds(pid) : 0
    const loopCpuBefore = pid ? readMainThreadCpuSeconds(pid) : 0
    const machineBefore = readMachineCpuSeconds()
    const started = performance.now()
    await run(count, latencies)
    const seconds = (performance.now() - started) / 1000
    const cpuUs = pid ? ((readCpuSeconds(pid) - cpuBefore) * 1e6) / count : Number.NaN
    const loopCpuUs = pid ? ((readMainThreadCpuSeconds(pid) - loopCpuBefore) * 1e6) / count : Number.NaN
    const machineAfter = readMachineCpuSeconds()
    const machineBusy = machineAfter.busy - machineBefore.busy
    return {
      rate: count / seconds,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      cpuUs,
      loopCpuUs,
      machineCpuUs: (machineBusy * 1e6) / count,
      machineBusy: machineBusy / (machineAfter.total - machineBefore.total),
    }
  } finally {
    await pool.close()
  }
}
