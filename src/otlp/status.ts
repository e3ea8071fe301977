import { status as GrpcStatus } from '@grpc/grpc-js';
import type { RefusalReason } from './ingest-error.js';

/**
 * OTLP's mapping of refusals: 400/INVALID_ARGUMENT and 413/RESOURCE_EXHAUSTED are not retryable,
 * 503/UNAVAILABLE is (with a retry hint), 401/UNAUTHENTICATED needs the token fixed.
 * grpc-status codes for HTTP errors go into the google.rpc.Status body.
 */
export const REFUSALS: Record<RefusalReason, { readonly http: number; readonly grpc: GrpcStatus }> = {
  invalid: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  too_large: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  overloaded: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  unavailable: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  unauthenticated: { http: 401, grpc: GrpcStatus.UNAUTHENTICATED },
  forbidden: { http: 403, grpc: GrpcStatus.PERMISSION_DENIED },
  unsupported_media_type: { http: 415, grpc: GrpcStatus.INVALID_ARGUMENT },
  method_not_allowed: { http: 405, grpc: GrpcStatus.UNIMPLEMENTED },
  not_found: { http: 404, grpc: GrpcStatus.UNIMPLEMENTED },
};
