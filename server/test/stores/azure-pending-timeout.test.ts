import { createServer, type Server, type Socket } from 'node:net'
import { ContainerClient } from '@azure/storage-blob'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { azurePendingConcatenations } from '../../src/stores/azure-pending.js'

// A service that accepts connections and never answers (paused, overloaded, a black-holed route).
let silent: Server
const sockets = new Set<Socket>()
let url: string

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const address = silent.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  url = `http://127.0.0.1:${address.port}/devstoreaccount1/tusk`
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise<void>((resolve) => silent.close(() => resolve()))
})

it('gives up each pending-concatenation call to a silent Azure service after its timeout', async () => {
  const pending = azurePendingConcatenations(new ContainerClient(url), 300)
  const timedOut = expect.objectContaining({ code: 'ETIMEDOUT' })
  await expect(pending.add('partial', 'final')).rejects.toEqual(timedOut)
  await expect(pending.waitingFor('partial')).rejects.toEqual(timedOut)
  await expect(pending.list()).rejects.toEqual(timedOut)
  await expect(pending.remove('partial', 'final')).rejects.toEqual(timedOut)
}, 10_000)
