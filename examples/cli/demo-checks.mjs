#!/usr/bin/env node
// What demo.sh observes from outside the CLI, so that it never relies on timing or on the CLI's own
// word: when the upload has really started (and not finished), what the server stored, and how many
// bytes the server received after the CLI was started again.
//   node demo-checks.mjs wait-partial <server-log> <endpoint>   the upload URL, once 0 < offset < size
//   node demo-checks.mjs settled-offset <upload-url>            the offset once it stops moving
//   node demo-checks.mjs received-since <server-log> <upload-url> <since-ms>   PATCH bytes received
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

const TUS = { 'Tus-Resumable': '1.0.0' }

/** The server's JSON request lines (the log also holds the start-up line, which is not JSON). */
async function requestLines(logPath) {
  const text = await readFile(logPath, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .filter((line) => line.msg === 'request')
}

async function head(url) {
  const response = await fetch(url, { method: 'HEAD', headers: TUS })
  if (response.status !== 200) throw new Error(`HEAD ${url} answered ${response.status}`)
  return {
    offset: Number(response.headers.get('upload-offset')),
    size: Number(response.headers.get('upload-length')),
  }
}

async function waitPartial(logPath, endpoint, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  let url
  while (Date.now() < deadline) {
    if (!url) {
      const created = (await requestLines(logPath)).find(
        (line) => line.method === 'POST' && line.status === 201,
      )
      if (created) url = `${endpoint}/${created.uploadId}`
    }
    if (url) {
      const { offset, size } = await head(url)
      if (offset >= size)
        throw new Error('the upload finished before it could be interrupted: use a bigger file')
      if (offset > 0) return url
    }
    await sleep(10)
  }
  throw new Error('no upload progress within a minute')
}

async function settledOffset(url) {
  let previous = -1
  for (;;) {
    const { offset } = await head(url)
    if (offset === previous) return offset
    previous = offset
    await sleep(300)
  }
}

async function receivedSince(logPath, url, sinceMs) {
  const id = url.slice(url.lastIndexOf('/') + 1)
  return (await requestLines(logPath))
    .filter((line) => line.method === 'PATCH' && line.uploadId === id && line.time >= sinceMs)
    .reduce((sum, line) => sum + line.bytesIn, 0)
}

const [command, ...args] = process.argv.slice(2)
try {
  if (command === 'wait-partial') console.log(await waitPartial(args[0], args[1]))
  else if (command === 'settled-offset') console.log(await settledOffset(args[0]))
  else if (command === 'received-since') console.log(await receivedSince(args[0], args[1], Number(args[2])))
  else throw new Error(`unknown command ${command}`)
} catch (error) {
  console.error(`demo: ${error.message}`)
  process.exit(1)
}
