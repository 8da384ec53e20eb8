import cluster from 'node:cluster'

// Between cluster workers, lock events travel over the IPC channel, relayed to every worker by the
// supervisor (cluster/supervisor.ts). Outside a cluster there is nobody to tell.

export type LockMessage = { type: 'tusk:lock-release-requested' | 'tusk:lock-released'; id: string }

export const isLockMessage = (value: unknown): value is LockMessage =>
  typeof value === 'object' &&
  value !== null &&
  ((value as LockMessage).type === 'tusk:lock-release-requested' ||
    (value as LockMessage).type === 'tusk:lock-released') &&
  typeof (value as LockMessage).id === 'string'

/** Sends a lock event to the other workers (via the supervisor); a no-op outside a cluster. */
export function broadcastLockMessage(message: LockMessage): void {
  if (!cluster.isWorker || !process.connected || !process.send) return
  process.send(message, undefined, undefined, () => {
    // The supervisor may be gone (shutting down): the waiters' polling covers a lost message.
  })
}

/** Calls `handler` for lock events from other workers; returns a function that stops listening. */
export function onLockMessage(handler: (message: LockMessage) => void): () => void {
  if (!cluster.isWorker) return () => {}
  const listener = (message: unknown) => {
    if (isLockMessage(message)) handler(message)
  }
  process.on('message', listener)
  return () => process.off('message', listener)
}
