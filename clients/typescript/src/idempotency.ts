export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * A fresh `Idempotency-Key` header. Make one per logical create and send the same object on every
 * retry of it: the server then replays the first answer instead of creating twice.
 * `client.POST('/v1/posts', { body, params: { header: idempotencyKey() } })` (or `headers: ...`).
 */
export function idempotencyKey(key: string = globalThis.crypto.randomUUID()): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': key };
}

/** Whether an answer is the stored one of an earlier request with the same key. */
export function wasReplayed(response: Response): boolean {
  return response.headers.get('idempotent-replayed') === 'true';
}
