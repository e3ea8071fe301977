// Minimal OTLP receiver that only records what arrives, so tests can inspect what an exporter sent.
// It does not decode OTLP; it keeps the bytes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';

export type Signal = 'metrics' | 'logs' | 'traces';

export interface CapturedExport {
  transport: 'http' | 'grpc';
  signal: Signal;
  method: string;
  /** HTTP path, or the full gRPC method path. */
  path: string;
  contentType: string | undefined;
  /** HTTP `content-encoding`, or gRPC `grpc-encoding` (`identity` when uncompressed). */
  encoding: string | undefined;
  /** The body as received (still compressed for HTTP with gzip). */
  raw: Buffer;
  /** The uncompressed body: an OTLP protobuf message or OTLP JSON document. */
  body: Buffer;
  /** Request headers (HTTP) or metadata (gRPC). */
  headers: Record<string, string>;
  receivedAt: number;
}

export interface OtlpCapture {
  readonly exports: CapturedExport[];
  /** Binds both servers; the URLs are the exporter's `OTEL_EXPORTER_OTLP_ENDPOINT` for each transport. */
  start(): Promise<{ httpUrl: string; grpcUrl: string }>;
  close(): Promise<void>;
  /** Resolves with the first recorded export (past or future) matching `predicate`. */
  waitFor(predicate: (e: CapturedExport) => boolean, timeoutMs?: number): Promise<CapturedExport>;
}

const HTTP_SIGNALS: Record<string, Signal> = {
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
  '/v1/traces': 'traces',
};

const GRPC_SERVICES: { signal: Signal; service: string; path: string }[] = [
  {
    signal: 'metrics',
    service: 'MetricsService',
    path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  },
  {
    signal: 'logs',
    service: 'LogsService',
    path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  },
];

const identity = (b: Buffer): Buffer => b;

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function createOtlpCapture(): OtlpCapture {
  const exports: CapturedExport[] = [];
  const waiters = new Set<(e: CapturedExport) => void>();
  const record = (e: CapturedExport): void => {
    exports.push(e);
    for (const w of waiters) w(e);
  };

  const httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const signal = HTTP_SIGNALS[path];
      const contentType = req.headers['content-type'];
      if (req.method !== 'POST' || signal === undefined) {
        res.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      let body = raw;
      try {
        if (encoding === 'gzip') body = gunzipSync(raw);
      } catch {
        res.writeHead(400).end();
        return;
      }
      record({
        transport: 'http',
        signal,
        method: req.method,
        path,
        contentType,
        encoding,
        raw,
        body,
        headers: flatHeaders(req.headers),
        receivedAt: Date.now(),
      });
      // An empty Export*ServiceResponse in the request's own encoding means full success.
      const isJson = contentType?.includes('json') ?? false;
      res.writeHead(200, { 'content-type': isJson ? 'application/json' : 'application/x-protobuf' });
      res.end(isJson ? '{}' : undefined);
    });
  });

  // grpc-js removes `grpc-encoding` from the metadata handed to handlers and interceptors, but keeps it on
  // the innermost call object it passes to the first interceptor; read it from there.
  const interceptor: grpc.ServerInterceptor = (method, call) => {
    const encodingValue: unknown = Reflect.get(call, 'incomingEncoding');
    const encoding = typeof encodingValue === 'string' ? encodingValue : undefined;
    let headers: Record<string, string> = {};
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        const listener = new grpc.ServerListenerBuilder()
          .withOnReceiveMetadata((metadata, nextMetadata) => {
            headers = {};
            for (const [key, value] of Object.entries(metadata.getMap())) headers[key] = value.toString();
            nextMetadata(metadata);
          })
          .withOnReceiveMessage((message: Buffer, nextMessage) => {
            const svc = GRPC_SERVICES.find((s) => s.path === method.path);
            if (svc) {
              record({
                transport: 'grpc',
                signal: svc.signal,
                method: 'POST',
                path: method.path,
                contentType: 'application/grpc',
                encoding,
                raw: message,
                body: message,
                headers,
                receivedAt: Date.now(),
              });
            }
            nextMessage(message);
          })
          .build();
        next(listener);
      },
    });
  };

  const grpcServer = new grpc.Server({ interceptors: [interceptor] });
  for (const svc of GRPC_SERVICES) {
    const definition: grpc.ServiceDefinition = {
      Export: {
        path: svc.path,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    };
    grpcServer.addService(definition, {
      Export: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        callback(null, Buffer.alloc(0));
      },
    });
  }

  return {
    exports,
    async start() {
      const httpPort = await new Promise<number>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(0, '127.0.0.1', () => resolve((httpServer.address() as AddressInfo).port));
      });
      const grpcPort = await new Promise<number>((resolve, reject) => {
        grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
          err ? reject(err) : resolve(port),
        );
      });
      return { httpUrl: `http://127.0.0.1:${httpPort}`, grpcUrl: `http://127.0.0.1:${grpcPort}` };
    },
    async close() {
      grpcServer.forceShutdown();
      if (!httpServer.listening) return;
      httpServer.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        httpServer.close((err) => (err ? reject(err) : resolve())),
      );
    },
    waitFor(predicate, timeoutMs = 15_000) {
      const found = exports.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching OTLP export within ${timeoutMs} ms (${exports.length} received)`));
        }, timeoutMs);
        const waiter = (e: CapturedExport): void => {
          if (!predicate(e)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(e);
        };
        waiters.add(waiter);
      });
    },
  };
}
