import type { EventHookType } from '../types.js'

/** One event for one endpoint: delivered, retried and dead-lettered on its own. */
export interface DeliveryRecord {
  /** Unique per event and endpoint; safe as a file name. */
  readonly key: string
  /** The Standard Webhooks `webhook-id`: the same on every attempt (the receiver's idempotency key). */
  readonly eventId: string
  readonly type: EventHookType
  readonly url: string
  /** The body exactly as first serialized: every attempt sends the same bytes. */
  readonly body: string
  /** Attempts made so far. */
  readonly attempts: number
  readonly createdAt: number
  readonly lastError?: string
  /**
   * Set while the record is held: a post-finish event written before the request that may finish
   * this upload stores its last bytes. A held record is not delivered until released (the upload
   * finished) and is dropped if the request ends without finishing it; one found held after its
   * process died is delivered if the store says the upload is complete, dropped otherwise.
   */
  readonly heldFor?: string
}

/** Whether an upload is complete in the store (for held records whose process died). */
export type IsFinished = (uploadId: string) => Promise<boolean>

/** A record taken by this process for one attempt; nobody else attempts it meanwhile. */
export interface Claimed {
  readonly record: DeliveryRecord
  /** The outbox's own handle (a file name, a stream entry id). */
  readonly handle: string
}

/**
 * Durable storage of non-blocking events until delivered. `add` resolves only once the records
 * would survive this process being killed; a claim made by a process that died is released again
 * after `staleClaimMs`, so every record is attempted until it is delivered or dead-lettered.
 */
export interface Outbox {
  readonly kind: 'file' | 'redis'
  /** Durable once resolved; records with `heldFor` are held (see DeliveryRecord.heldFor). */
  add(records: readonly DeliveryRecord[]): Promise<void>
  /**
   * Held records may be delivered now; resolves once they can be claimed (never rejects). Not
   * durable: a release lost in a crash is decided again by the store.
   */
  release(keys: readonly string[]): Promise<void>
  /** Held records that must never be delivered (the request ended without finishing the upload). */
  drop(keys: readonly string[]): void
  /** Records due now, up to `limit`, claimed for one attempt each. */
  claimDue(limit: number): Promise<Claimed[]>
  complete(claimed: Claimed): Promise<void>
  reschedule(claimed: Claimed, dueAt: number, error: string): Promise<void>
  deadLetter(claimed: Claimed, error: string): Promise<void>
  counts(): Promise<{ pending: number; dead: number }>
  deadLetters(): Promise<DeliveryRecord[]>
  /** Puts dead letters (all, or those with the given keys or event ids) back, due now; re-enables their endpoints. */
  retryDead(keys?: readonly string[]): Promise<number>
  /** An endpoint that answered 410 gets nothing more until an operator retries its dead letters. */
  disable(url: string): Promise<void>
  isDisabled(url: string): Promise<boolean>
  close(): Promise<void>
}
