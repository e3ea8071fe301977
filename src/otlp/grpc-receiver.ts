import {
  Metadata,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { encodeExportResponse, encodeStatus } from './encode.js';
import { IngestError } from './ingest-error.js';
import type { ReceiverOptions } from './ingest.js';
import { REFUSALS } from './status.js';
import type { PartialSuccess, Signal } from './types.js';

const SERVICES: Record<Signal, string> = {
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
};

const identity = (buffer: Buffer): Buffer => buffer;

/**
 * A request's bytes in a box that the handler empties once they are decoded: grpc-js keeps the
 * deserialized request until the call is answered, after the commit; the bytes themselves are then
 * freed young instead of waiting, promoted, for a full collection.
 */
interface RequestBytes {
  bytes: Buffer | undefined;
}

const EMPTY = Buffer.alloc(0);

/** Messages stay raw bytes through grpc-js: decoding happens in Ingest, so a bad message is INVALID_ARGUMENT. */
function service(signal: Signal): ServiceDefinition {
  return {
    Export: {
      path: SERVICES[signal],
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: (bytes: Buffer): RequestBytes => ({ bytes }),
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

/**
 * How long a gRPC connection may go without a call before it is closed (GOAWAY; clients reconnect
 * when they next export). This also closes a connection that never completes the HTTP/2 preface,
 * which grpc-js would otherwise hold for ever. Longer than the exporters' 60-second metric interval,
 * so a steady client keeps its connection.
 */
export const GRPC_IDLE_MS = 120_000;

/**
 * OTLP/gRPC: the metrics, logs and trace Export services (gzip handled by grpc-js).
 * `idleMs`: a shorter limit for tests.
 */
export function createOtlpGrpcServer(options: ReceiverOptions, idleMs: number = GRPC_IDLE_MS): Server {
  const server = new Server({
    // grpc-js applies the limit to the decompressed message too, so a gzip bomb is refused.
    'grpc.max_receive_message_length': options.maxRequestBytes,
    'grpc.max_send_message_length': 4 * 1024 * 1024,
    // Calls in flight per connection; an exporter has one or two. Bounds what a connection opening
    // and resetting streams in a loop (HTTP/2 rapid reset) has running at once.
    'grpc.max_concurrent_streams': 100,
    'grpc.max_connection_idle_ms': idleMs,
    // Ping a connection quiet for a minute; one that does not answer within 20 s is closed.
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
  for (const signal of ['metrics', 'logs', 'traces'] as const) {
    server.addService(service(signal), {
      Export: (call: ServerUnaryCall<RequestBytes, Buffer>, callback: sendUnaryData<Buffer>) => {
        void handle(signal, call, callback, options);
      },
    });
  }
  return server;
}

async function handle(
  signal: Signal,
  call: ServerUnaryCall<RequestBytes, Buffer>,
  callback: sendUnaryData<Buffer>,
  options: ReceiverOptions,
): Promise<void> {
  // `handle` awaits the commit, and V8 keeps its frame's temporaries meanwhile: the bytes are only
  // touched in plain functions (byteLength, exportOnce), never here.
  const size = byteLength(call.request);
  let reserved = 0;
  try {
    const auth = call.metadata.get('authorization')[0];
    if (!options.authorized(typeof auth === 'string' ? auth : undefined)) {
      throw new IngestError('unauthenticated', 'missing or wrong bearer token');
    }
    if (!options.budget.tryReserve(size)) {
      throw new IngestError('overloaded', 'too many requests in flight: retry later', options.retryAfterMs);
    }
    reserved = size;
    const partial = await exportOnce(signal, call.request, options);
    callback(null, Buffer.from(encodeExportResponse(signal, partial, 'proto')));
  } catch (error) {
    callback(toServiceError(error));
  } finally {
    options.budget.release(reserved);
  }
}

function byteLength(request: RequestBytes): number {
  return request.bytes?.length ?? 0;
}

/** Hands the request's bytes to Ingest and empties the box. */
function exportOnce(
  signal: Signal,
  request: RequestBytes,
  options: ReceiverOptions,
): Promise<PartialSuccess | undefined> {
  const bytes = request.bytes ?? EMPTY;
  request.bytes = undefined;
  return options.ingest.export('grpc', signal, 'proto', bytes);
}

function toServiceError(error: unknown): Partial<ServiceError> {
  const refusal = error instanceof IngestError ? error : new IngestError('invalid', String(error));
  const code = REFUSALS[refusal.reason].grpc;
  const metadata = new Metadata();
  if (refusal.retryAfterMs !== undefined) {
    // OTLP: UNAVAILABLE carries a google.rpc.RetryInfo detail with the delay the client should wait.
    metadata.set(
      'grpc-status-details-bin',
      Buffer.from(encodeStatus(code, refusal.message, 'proto', refusal.retryAfterMs)),
    );
  }
  return { code, details: refusal.message, metadata };
}

export async function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${port}`,
      ServerCredentials.createInsecure(),
      (error, bound) => {
        if (error) reject(error);
        else resolve(bound);
      },
    );
  });
}
