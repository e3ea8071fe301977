/**
 * Why a request was refused. Each layer throws these; the receivers translate them once, in
 * status.ts, into an HTTP status or a gRPC code (OTLP specification rules).
 */
export type RefusalReason =
  | 'invalid'
  | 'too_large'
  | 'overloaded'
  | 'unavailable'
  | 'unauthenticated'
  | 'forbidden'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'not_found';

export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** For overload: how long the client should wait before retrying. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
