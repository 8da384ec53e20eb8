import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { readCpuSeconds } from '../lib/proc-cpu.mjs'
import { readMemory } from '../lib/proc-memory.mjs'
import { payload } from '../lib/tus-client.mjs'

/**
 * `count` uploads started at once, each on its own connection: a creation POST (no body), then one
 * PATCH whose body trickles in as `chunks` pieces of `chunk` bytes every `intervalMs`. Past what the
 * cores carry, some are refused or cut: each outcome is counted by what the client saw.
 *
 * The generator is plain sockets and one shared timer (not a request object and a timer per upload),
 * because it shares the two cores with the server: at 5,000 uploads it writes 50,000 chunks a second.
 * Returns { seconds (until the last upload ended), completed, outcomes: { 'patch 204': n, 'create 503
 * retry-after': n, 'reset': n, ... }, badRefusals (refusals other than 503 + Retry-After or 408),
 * cpuPerUpload (server CPU ms per completed upload), peakRss }.
 */
export async function crowdUploads({ url, pid, count, chunk, chunks, intervalMs, giveUpAfterMs }) {
  const { hostname, port } = new URL(url)
  const data = payload(chunk)
  const total = chunk * chunks
  const outcomes = {}
  let completed = 0
  let badRefusals = 0
  const trickling = new Set()
  const count1 = (key) => {
    outcomes[key] = (outcomes[key] ?? 0) + 1
  }
  const cpuBefore = readCpuSeconds(pid)
  const started = performance.now()

  const ticker = setInterval(() => {
    for (const upload of trickling) {
      upload.socket.write(data)
      if (++upload.sent === chunks) trickling.delete(upload)
    }
  }, intervalMs)

  const one = () =>
    new Promise((resolve) => {
      const socket = net.connect({ host: hostname, port: Number(port), noDelay: true })
      const upload = { socket, sent: 0 }
      let phase = 'create'
      let buffered = ''
      let finished = false
      const end = (outcome, refusal) => {
        if (finished) return
        finished = true
        trickling.delete(upload)
        count1(outcome)
        if (refusal) badRefusals++
        socket.destroy()
        resolve()
      }
      const timer = setTimeout(() => end(`${phase} unfinished`), giveUpAfterMs)
      socket.setEncoding('latin1')
      socket.on('connect', () => {
        socket.write(
          `POST /files HTTP/1.1\r\nHost: ${hostname}:${port}\r\nTus-Resumable: 1.0.0\r\nUpload-Length: ${total}\r\nContent-Length: 0\r\n\r\n`,
        )
      })
      socket.on('data', (text) => {
        buffered += text
        const headEnd = buffered.indexOf('\r\n\r\n')
        if (headEnd < 0) return
        const head = buffered.slice(0, headEnd)
        let bodyEnd = headEnd + 4 + Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
          // The servers' bodies here are empty or a short text: wait for the last chunk.
          const last = buffered.indexOf('0\r\n\r\n', headEnd + 4)
          if (last < 0) return
          bodyEnd = last + 5
        }
        if (buffered.length < bodyEnd) return
        buffered = buffered.slice(bodyEnd)
        const status = Number(head.slice(9, 12))
        const retryAfter = /\r\nretry-after:/i.test(head)
        if (phase === 'create' && status === 201) {
          const location = /\r\nlocation: *([^\r]+)/i.exec(head)?.[1]
          const path = new URL(location, url).pathname
          phase = 'patch'
          socket.write(
            `PATCH ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nTus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: ${total}\r\n\r\n`,
          )
          trickling.add(upload)
          return
        }
        clearTimeout(timer)
        if (phase === 'patch' && status === 204) {
          const offset = Number(/\r\nupload-offset: *(\d+)/i.exec(head)?.[1])
          if (offset === total) completed++
          return end(offset === total ? 'patch 204' : `patch 204 at offset ${offset}`)
        }
        // Shedding load is fine only as 503 with Retry-After, or 408; anything else is a bad refusal.
        const fair = (status === 503 && retryAfter) || status === 408
        end(`${phase} ${status}${retryAfter ? ' retry-after' : ''}`, !fair)
      })
      socket.on('error', (error) => {
        clearTimeout(timer)
        end(`${phase} ${error.code ?? 'error'}`)
      })
      socket.on('close', () => {
        clearTimeout(timer)
        end(`${phase} closed`)
      })
    })

  let peakRss = 0
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, readMemory(pid).rss)
  }, 250)
  try {
    await Promise.all(Array.from({ length: count }, one))
  } finally {
    clearInterval(ticker)
    clearInterval(sampler)
  }
  const seconds = (performance.now() - started) / 1000
  const cpu = readCpuSeconds(pid) - cpuBefore
  return {
    seconds,
    completed,
    completedShare: completed / count,
    badRefusals,
    outcomes,
    cpuPerUpload: completed ? (cpu * 1000) / completed : Number.NaN,
    peakRss: Math.max(peakRss, readMemory(pid).hwm),
  }
}
