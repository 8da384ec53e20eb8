import { afterAll, beforeAll, expect, it } from 'vitest'
import { bytes, sha256 } from '../../../test-support/bytes.js'
import { s3Service } from '../stores/s3-service.js'
import { partialUpload } from './harness/partial-upload.js'
import { MiB } from './harness/proc-stats.js'
import { tusRequest } from './harness/tus-requests.js'
import { killTree, startTusk, type TuskProcess } from './harness/tusk-server.js'

// Issue 13: a SIGKILL of the server in the middle of an S3 concatenation (the final upload's parts
// copied with UploadPartCopy, then CompleteMultipartUpload) must not leave the final upload stuck
// half-assembled, nor ever serve half an object as complete: after a restart the concatenation is
// run again, and the final upload ends complete and byte-exact. The shared S3 service (S3_* in the
// environment), a bucket of this file's own; the server is killed, not the service.

const s3 = s3Service()
let bucket = ''
let tusk: TuskProcess | undefined
beforeAll(async () => {
  bucket = await s3.createBucket('concat-crash')
})
afterAll(async () => {
  await killTree(tusk)
  if (bucket) await s3.deleteBucket(bucket)
})

const PARTIALS = 10
const PARTIAL_SIZE = 6 * MiB

function tuskArgs(): string[] {
  const { s3Endpoint, s3Region, s3ForcePathStyle } = s3.settings
  return [
    '--store=s3',
    `--s3-bucket=${bucket}`,
    `--s3-endpoint=${s3Endpoint}`,
    `--s3-region=${s3Region}`,
    `--s3-force-path-style=${s3ForcePathStyle}`,
    '--log-level=warn',
  ]
}

// Keys through the environment (as in production), and every S3 request logged as it ends
// (TUSK_S3_TRACE): the test kills the server at the first finished part copy.
const env = {
  TUSK_S3_ACCESS_KEY_ID: s3.settings.s3AccessKeyId,
  TUSK_S3_SECRET_ACCESS_KEY: s3.settings.s3SecretAccessKey,
  TUSK_S3_TRACE: '1',
}

/** The open multipart upload's part count for `key`, or undefined when none is open. */
async function copiedParts(key: string): Promise<number | undefined> {
  const open = await s3.client.listMultipartUploads({ Bucket: bucket, Prefix: key })
  const upload = open.Uploads?.find((u) => u.Key === key)
  if (!upload) return undefined
  const { Parts = [] } = await s3.client.listParts({ Bucket: bucket, Key: key, UploadId: upload.UploadId })
  return Parts.length
}

it('re-runs a concatenation the server was SIGKILLed in the middle of: the final upload ends complete and byte-exact', async () => {
  tusk = await startTusk(tuskArgs(), { env })
  const port = tusk.port
  const endpoint = tusk.url
  const data = Array.from({ length: PARTIALS }, (_, i) => bytes(PARTIAL_SIZE + i * 1000, 90 + i))
  const urls: string[] = []
  for (const part of data) urls.push(await partialUpload(endpoint, part))
  const whole = Buffer.concat(data)

  // The final upload's POST runs the concatenation; the server dies when the first copy has ended.
  const running = tusk
  let killed = false
  const onOutput = (chunk: Buffer) => {
    if (!killed && chunk.toString().includes('"command":"UploadPartCopyCommand"')) {
      killed = true
      process.kill(running.pid, 'SIGKILL')
    }
  }
  running.child.stdout?.on('data', onOutput)
  running.child.stderr?.on('data', onOutput)
  const concat = `final;${urls.map((url) => new URL(url).pathname).join(' ')}`
  const posted = await tusRequest(endpoint, 'POST', { 'Upload-Concat': concat }, 60_000).catch(
    (error: Error) => error,
  )
  await running.exited
  // Killed mid-concatenation, never answered: the final upload's multipart upload holds only some parts.
  expect(killed).toBe(true)
  expect(posted).toBeInstanceOf(Error)
  const listed = await s3.listBucket(bucket)
  const finalKey = listed.find(
    (key) =>
      key.endsWith(' (multipart)') && !urls.some((url) => key.startsWith(url.split('/').pop() as string)),
  )
  expect(finalKey, `no open final upload in ${JSON.stringify(listed)}`).toBeTruthy()
  const finalId = (finalKey as string).replace(' (multipart)', '')
  const partsAtKill = await copiedParts(finalId)
  expect(partsAtKill).toBeGreaterThan(0)
  expect(partsAtKill).toBeLessThan(PARTIALS)

  tusk = await startTusk(tuskArgs(), { port, env })
  const finalUrl = `${tusk.url}/${finalId}`
  // Never half an object: a download before anything looked at the upload is refused or whole.
  const early = await fetch(finalUrl)
  const earlyBody = Buffer.from(await early.arrayBuffer())
  if (early.status === 200) expect(sha256(earlyBody)).toBe(sha256(whole))
  else expect(early.status).toBeGreaterThanOrEqual(400)
  // The next HEAD finds it unfinished with every partial finished, and assembles it again.
  const head = await tusRequest(finalUrl, 'HEAD', {}, 60_000)
  expect(head.status).toBe(200)
  expect(head.headers['upload-length']).toBe(String(whole.length))
  expect(head.headers['upload-offset']).toBe(String(whole.length))
  const downloaded = await fetch(finalUrl)
  expect(downloaded.status).toBe(200)
  const got = Buffer.from(await downloaded.arrayBuffer())
  expect(got.length).toBe(whole.length)
  expect(sha256(got)).toBe(sha256(whole))
  console.log(
    'S3 concatenation SIGKILL:',
    JSON.stringify({
      partials: PARTIALS,
      partsCopiedAtKill: partsAtKill,
      earlyGet: early.status,
      bytes: got.length,
    }),
  )
})
