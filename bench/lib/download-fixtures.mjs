import { Pool, request } from 'undici'
import { bigUpload } from '../workloads/big-upload.mjs'
import { startContender, TUSK } from './contenders.mjs'
import { expectStatus, OCTETS, payload, TUS } from './tus-client.mjs'

/**
 * The finished uploads every download workload reads: `downloadFiles` of `mediumSize` bytes and one
 * of `bigSize`, uploaded once through Tusk into `dir` (the @tus/file-store layout: data file plus
 * .json), so that the raw server, plain @tus/server and Tusk serve the very same files.
 * Returns { small: [id, ...], big: id }.
 */
export async function prepareDownloads({ dir, logFile, options }) {
  const server = await startContender(TUSK, { dataDir: dir, logFile })
  const pool = new Pool(server.origin, { connections: 16 })
  try {
    const data = payload(options.mediumSize)
    const small = []
    const one = async () => {
      const response = await request(server.url, {
        method: 'POST',
        headers: { ...TUS, 'upload-length': String(data.length), 'content-type': OCTETS },
        body: data,
        dispatcher: pool,
      })
      const location = response.headers.location
      await expectStatus(response, 201, 'download fixture')
      small.push(String(location).slice(String(location).lastIndexOf('/') + 1))
    }
    let next = 0
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < options.downloadFiles) await one()
      }),
    )
    const big = await bigUpload({ url: server.url, size: options.bigSize, chunkSize: 0 })
    return { small, big: big.uploadUrl.slice(big.uploadUrl.lastIndexOf('/') + 1) }
  } finally {
    await pool.close()
    await server.stop()
  }
}
