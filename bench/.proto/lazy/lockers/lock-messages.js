import cluster from 'node:cluster';
export const isLockMessage = (value) => typeof value === 'object' &&
    value !== null &&
    (value.type === 'tusk:lock-release-requested' ||
        value.type === 'tusk:lock-released') &&
    typeof value.id === 'string';
/** Sends a lock event to the other workers (via the supervisor); a no-op outside a cluster. */
export function broadcastLockMessage(message) {
    if (!cluster.isWorker || !process.connected || !process.send)
        return;
    process.send(message, undefined, undefined, () => {
        // The supervisor may be gone (shutting down): the waiters' polling covers a lost message.
    });
}
/** Calls `handler` for lock events from other workers; returns a function that stops listening. */
export function onLockMessage(handler) {
    if (!cluster.isWorker)
        return () => { };
    const listener = (message) => {
        if (isLockMessage(message))
            handler(message);
    };
    process.on('message', listener);
    return () => process.off('message', listener);
}
//# sourceMappingURL=lock-messages.js.map