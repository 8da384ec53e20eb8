export type LockMessage = {
    type: 'tusk:lock-release-requested' | 'tusk:lock-released';
    id: string;
};
export declare const isLockMessage: (value: unknown) => value is LockMessage;
/** Sends a lock event to the other workers (via the supervisor); a no-op outside a cluster. */
export declare function broadcastLockMessage(message: LockMessage): void;
/** Calls `handler` for lock events from other workers; returns a function that stops listening. */
export declare function onLockMessage(handler: (message: LockMessage) => void): () => void;
//# sourceMappingURL=lock-messages.d.ts.map