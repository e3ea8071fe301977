import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { createTimedServer, OTLP_HTTP_TIMEOUTS, type HttpTimeouts } from '../server/http-timeouts.js';
import { rebindingRefusal } from '../server/request-guards.js';
import { encodeExportResponse, encodeStatus } from './encode.js';
import { IngestError } from './ingest-error.js';
import type { Format, ReceiverOptions } from './ingest.js';
import { REFUSALS } from './status.js';
import type { PartialSuccess, Signal } from './types.js';

const PATHS: Record<string, Signal> = {
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
  '/v1/traces': 'traces',
};

const CONTENT_TYPES: Record<string, Format> = {
  'application/x-protobuf': 'proto',
  'application/protobuf': 'proto',
  'application/json': 'json',
};

/**
 * OTLP/HTTP: POST /v1/metrics, /v1/logs, /v1/traces with protobuf or JSON, optionally gzip.
 * `timeouts`: shorter limits for tests. No CORS: without a preflight a web page can send only content
 * types refused here (text/plain, forms), and a preflight gets no Access-Control-Allow-Origin.
 */
export function createOtlpHttpServer(
  options: ReceiverOptions,
  timeouts: HttpTimeouts = OTLP_HTTP_TIMEOUTS,
): Server {
  return createTimedServer(timeouts, (req, res) => {
    void handle(req, res, options);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ReceiverOptions): Promise<void> {
  const format = CONTENT_TYPES[mediaType(req.headers['content-type'])];
  const reserved = { bytes: 0 };
  try {
    // bearerChecker lets a missing header through exactly when no token is set.
    const rebinding = rebindingRefusal(req, !options.authorized(undefined));
    if (rebinding !== undefined) throw new IngestError('forbidden', rebinding);
    const signal = PATHS[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (signal === undefined)
      throw new IngestError(
        'not_found',
        `no OTLP endpoint at ${req.url ?? ''}: use /v1/metrics, /v1/logs or /v1/traces`,
      );
    if (req.method !== 'POST')
      throw new IngestError('method_not_allowed', `${req.method ?? ''} is not allowed: OTLP/HTTP uses POST`);
    if (!options.authorized(req.headers.authorization))
      throw new IngestError('unauthenticated', 'missing or wrong bearer token');
    if (format === undefined) {
      throw new IngestError(
        'unsupported_media_type',
        `unsupported Content-Type "${req.headers['content-type'] ?? ''}": use application/x-protobuf or application/json`,
      );
    }
    const partial = await readAndExport(req, options, reserved, signal, format);
    send(res, 200, format, encodeExportResponse(signal, partial, format));
  } catch (error) {
    const refusal =
      error instanceof IngestError
        ? error
        : new IngestError('invalid', error instanceof Error ? error.message : String(error));
    const code = REFUSALS[refusal.reason];
    const headers: Record<string, string> = {};
    if (refusal.retryAfterMs !== undefined)
      headers['retry-after'] = String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000)));
    if (refusal.reason === 'method_not_allowed') headers.allow = 'POST';
    if (refusal.reason === 'unauthenticated') headers['www-authenticate'] = 'Bearer';
    // A client sending a body we will not read gets the connection closed after the answer.
    if (!req.complete) headers.connection = 'close';
    send(
      res,
      code.http,
      format ?? 'json',
      encodeStatus(code.grpc, refusal.message, format ?? 'json', refusal.retryAfterMs),
      headers,
    );
    if (!req.complete) req.resume();
  } finally {
    options.budget.release(reserved.bytes);
  }
}

/** A function of its own so that no suspended frame holds the body while its records commit. */
async function readAndExport(
  req: IncomingMessage,
  options: ReceiverOptions,
  reserved: { bytes: number },
  signal: Signal,
  format: Format,
): Promise<PartialSuccess | undefined> {
  const body = await readBody(req, options, reserved);
  return options.ingest.export('http', signal, format, body);
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function send(
  res: ServerResponse,
  status: number,
  format: Format,
  body: Uint8Array,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': format === 'json' ? 'application/json' : 'application/x-protobuf',
    'content-length': String(body.byteLength),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

/**
 * Reads the body within the size limit (checked on the wire and again after decompression, so a
 * small gzip bomb is refused as soon as its output passes the limit) and the in-flight budget.
 */
function readBody(
  req: IncomingMessage,
  options: ReceiverOptions,
  reserved: { bytes: number },
): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > options.maxRequestBytes) {
    return Promise.reject(tooLarge(options.maxRequestBytes));
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoder: Transform | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== 'identity' && encoding !== '') {
    return Promise.reject(
      new IngestError(
        'unsupported_media_type',
        `unsupported Content-Encoding "${encoding}": use gzip or none`,
      ),
    );
  }
  return new Promise<Buffer>((resolve, reject) => {
    // The listeners below stay on `req` until it is answered, after the commit. They must not keep
    // the body alive that long: neither the chunks nor, through the resolving functions, the promise
    // whose value it is. So both are let go of once the body is read or refused (`settle` undefined).
    let settle: { resolve: (body: Buffer) => void; reject: (error: IngestError) => void } | undefined = {
      resolve,
      reject,
    };
    const chunks: Buffer[] = [];
    let wire = 0;
    let size = 0;
    const fail = (error: IngestError): void => {
      if (settle === undefined) return;
      const { reject: refuse } = settle;
      settle = undefined;
      chunks.length = 0;
      decoder?.destroy();
      req.unpipe();
      refuse(error);
    };
    const finish = (): void => {
      if (settle === undefined) return;
      const { resolve: accept } = settle;
      settle = undefined;
      const body = Buffer.concat(chunks);
      chunks.length = 0;
      accept(body);
    };
    const reserve = (n: number): boolean => {
      if (!options.budget.tryReserve(n)) {
        fail(new IngestError('overloaded', 'too many requests in flight: retry later', options.retryAfterMs));
        return false;
      }
      reserved.bytes += n;
      return true;
    };
    const onOutput = (chunk: Buffer): void => {
      if (settle === undefined) return;
      size += chunk.length;
      if (size > options.maxRequestBytes) return fail(tooLarge(options.maxRequestBytes));
      if (!reserve(chunk.length)) return;
      chunks.push(chunk);
    };
    req.on('data', (chunk: Buffer) => {
      if (settle === undefined) return;
      wire += chunk.length;
      if (wire > options.maxRequestBytes) return fail(tooLarge(options.maxRequestBytes));
      // Only what is kept counts against the budget: compressed chunks are dropped once inflated.
      if (decoder === undefined) onOutput(chunk);
      else decoder.write(chunk);
    });
    req.on('end', () => {
      if (settle === undefined) return;
      if (decoder === undefined) finish();
      else decoder.end();
    });
    req.on('error', () => fail(new IngestError('invalid', 'the request was cut off')));
    decoder?.on('data', onOutput);
    decoder?.on('end', finish);
    decoder?.on('error', () => fail(new IngestError('invalid', `the body is not valid ${encoding} data`)));
  });
}

function tooLarge(limit: number): IngestError {
  return new IngestError(
    'too_large',
    `the request is larger than the limit of ${limit} bytes (after decompression)`,
  );
}
