import { WebSocket } from 'undici'

// A server started with `--inspect=127.0.0.1:0` (NODE_OPTIONS) prints the inspector's WebSocket URL.
// Through it a test can run a full garbage collection inside the server and read its memory, so that
// a leak check compares live memory, not whatever garbage V8 had not yet decided to collect.

export interface Inspector {
  /** A full, compacting garbage collection in the inspected process. */
  collectGarbage(): Promise<void>
  /** process.memoryUsage() of the inspected process. */
  memoryUsage(): Promise<NodeJS.MemoryUsage>
  close(): void
}

/** The inspector's URL from the process's output ("Debugger listening on ws://…"). */
export function inspectorUrl(output: string): string {
  const match = /Debugger listening on (ws:\/\/\S+)/.exec(output)
  if (!match?.[1]) throw new Error(`no inspector URL in the server's output:\n${output}`)
  return match[1]
}

export async function connectInspector(url: string): Promise<Inspector> {
  const socket = new WebSocket(url)
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true })
    socket.addEventListener('error', () => reject(new Error(`cannot connect to the inspector at ${url}`)), {
      once: true,
    })
  })
  let nextId = 1
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number
      result?: unknown
      error?: { message: string }
    }
    const call = message.id === undefined ? undefined : waiting.get(message.id)
    if (!call || message.id === undefined) return
    waiting.delete(message.id)
    if (message.error) call.reject(new Error(message.error.message))
    else call.resolve(message.result)
  })
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++
      waiting.set(id, { resolve, reject })
      socket.send(JSON.stringify({ id, method, params }))
    })
  return {
    async collectGarbage() {
      await send('HeapProfiler.collectGarbage')
    },
    async memoryUsage() {
      const result = (await send('Runtime.evaluate', {
        expression: 'JSON.stringify(process.memoryUsage())',
        returnByValue: true,
      })) as { result: { value: string } }
      return JSON.parse(result.result.value) as NodeJS.MemoryUsage
    },
    close() {
      socket.close()
    },
  }
}
