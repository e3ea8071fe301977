/**
 * Property-based fuzzing of the OTLP receivers (HTTP and gRPC, in process) and of the normalizers.
 * Whatever a client sends, the answer is a 2xx or a 4xx (never a 5xx, never a hang), a refusal carries a
 * google.rpc.Status, the process sees no unhandled rejection, and a valid export afterwards is stored.
 * The normalizers are fuzzed in fuzz-normalize.test.ts.
 * CCMON_FUZZ_RUNS sets the number of inputs per property (bench/fuzz.ts runs it long).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import {
  claudeLogsRequest,
  claudeMetricsRequest,
  encodeLogsProto,
  encodeMetricsProto,
} from './support/otlp-encode.js';
import { checkProperty as check, FUZZ_RUNS } from './support/fuzz.js';
import { startTestServer, type TestServer } from './support/server.js';

const RUNS = FUZZ_RUNS;
const REQUEST_TIMEOUT_MS = 10_000;

/** How many inputs the properties tried in all; bench/fuzz.ts reads this line. */
let tried = 0;

const GrpcRpcStatus = protobuf
  .parse(
    `syntax = "proto3"; package fuzz;
     message Any { string type_url = 1; bytes value = 2; }
     message Status { int32 code = 1; string message = 2; repeated Any details = 3; }`,
  )
  .root.lookupType('fuzz.Status');

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

function post(
  base: string,
  path: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
        }),
      );
    });
    // A hang is a failure, not a slow test.
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

function assertStatusBody(answer: Answer): void {
  if (answer.contentType === 'application/json') {
    const status = JSON.parse(answer.body.toString()) as { code?: unknown; message?: unknown };
    assert.equal(typeof status.code, 'number', 'a JSON refusal carries a numeric code');
    assert.equal(typeof status.message, 'string', 'a JSON refusal carries a message');
  } else {
    assert.equal(answer.contentType, 'application/x-protobuf');
    const status = GrpcRpcStatus.toObject(GrpcRpcStatus.decode(answer.body)) as { code?: number };
    assert.ok((status.code ?? 0) > 0, 'a protobuf refusal carries a non-zero code');
  }
}

// ---- input generators ----

const seeds = fc.integer({ min: 1, max: 1000 });
const validMetricsJson = seeds.map((seed) => claudeMetricsRequest({ seed, count: 5 }) as object);
const validLogsJson = seeds.map((seed) => claudeLogsRequest({ seed, count: 4 }) as object);
const validJson = fc.oneof(validMetricsJson, validLogsJson);
const validProto = fc.oneof(
  validMetricsJson.map((r) => encodeMetricsProto(r)),
  validLogsJson.map((r) => encodeLogsProto(r)),
);

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Buffer.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    if (m.kind === 'flip' && at < bytes.length) bytes[at] = m.byte;
    else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    else if (m.kind === 'delete')
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
  }
  return bytes;
}

/** Replaces the value at a random path of a JSON document with a random JSON value. */
function replaceAt(doc: unknown, path: readonly number[], value: unknown): unknown {
  if (path.length === 0 || doc === null || typeof doc !== 'object') return value;
  const [step = 0, ...rest] = path;
  if (Array.isArray(doc)) {
    if (doc.length === 0) return value;
    const i = step % doc.length;
    return doc.map((item: unknown, j) => (j === i ? replaceAt(item, rest, value) : item));
  }
  const entries = Object.entries(doc);
  if (entries.length === 0) return value;
  const i = step % entries.length;
  return Object.fromEntries(entries.map(([k, v], j) => [k, j === i ? replaceAt(v, rest, value) : v]));
}

/** Values that sit at the edges of what the decoders accept: huge, negative, fractional, text numbers. */
const edgeValues = fc.constantFrom<unknown>(
  1e300,
  9.3e21,
  2 ** 64,
  2 ** 53 + 1,
  -1,
  1.5,
  '99999999999999999999',
  '18446744073709551616',
  '-1',
  '1e400',
  'NaN',
  'Infinity',
  '',
  null,
  [],
  {},
);

const jsonMutated = fc
  .tuple(validJson, fc.array(fc.nat(), { maxLength: 8 }), fc.oneof(fc.jsonValue({ maxDepth: 3 }), edgeValues))
  .map(([doc, path, value]) => Buffer.from(JSON.stringify(replaceAt(doc, path, value))));

/** Every field named `key`, anywhere in the document, set to `value`. */
function replaceField(doc: unknown, key: string, value: unknown): unknown {
  if (Array.isArray(doc)) return doc.map((item: unknown) => replaceField(item, key, value));
  if (doc === null || typeof doc !== 'object') return doc;
  return Object.fromEntries(
    Object.entries(doc).map(([k, v]) => [k, k === key ? value : replaceField(v, key, value)]),
  );
}

/** The fields whose range the decoders check, aimed at directly: a random path rarely lands on them. */
const fieldNames = fc.constantFrom(
  'timeUnixNano',
  'startTimeUnixNano',
  'observedTimeUnixNano',
  'asDouble',
  'intValue',
  'doubleValue',
  'stringValue',
  'aggregationTemporality',
  'isMonotonic',
  'attributes',
  'body',
);
const fieldValues = fc.oneof({ arbitrary: edgeValues, weight: 3 }, fc.jsonValue({ maxDepth: 2 }));
const fieldMutated = fc
  .tuple(validJson, fieldNames, fieldValues)
  .map(([doc, key, value]) => Buffer.from(JSON.stringify(replaceField(doc, key, value))));

/** A signal's valid OTLP/JSON with one field set to an edge value everywhere, sent to that signal. */
const signalFieldMutated = fc
  .tuple(
    fc.oneof(
      validMetricsJson.map((doc) => ['/v1/metrics', doc] as const),
      validLogsJson.map((doc) => ['/v1/logs', doc] as const),
    ),
    fieldNames,
    fieldValues,
  )
  .map(([[path, doc], key, value]) => ({
    path,
    body: Buffer.from(JSON.stringify(replaceField(doc, key, value))),
  }));

const bodies: fc.Arbitrary<Uint8Array> = fc.oneof(
  validProto,
  fc.tuple(validProto, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, m]) => mutate(b, m)),
  fc.uint8Array({ maxLength: 512 }),
  validJson.map((d) => Buffer.from(JSON.stringify(d))),
  jsonMutated,
  fieldMutated,
  fc
    .tuple(validJson, fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([d, m]) => mutate(Buffer.from(JSON.stringify(d)), m)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
);

const contentTypes = fc.constantFrom(
  'application/x-protobuf',
  'application/protobuf',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  '',
);
const SUPPORTED = new Set([
  'application/x-protobuf',
  'application/protobuf',
  'application/json',
  'application/json; charset=utf-8',
]);
const paths = fc.constantFrom('/v1/metrics', '/v1/logs', '/v1/traces');
type Compression = 'none' | 'gzip' | 'broken-gzip';
const compressions = fc.constantFrom<Compression>('none', 'gzip', 'broken-gzip');

function compress(body: Uint8Array, how: Compression, cut: number): Uint8Array {
  if (how === 'none') return body;
  const zipped = gzipSync(body);
  if (how === 'gzip') return zipped;
  // Broken: cut short, or with the CRC trailer damaged.
  if (cut % 2 === 0) return zipped.subarray(0, cut % Math.max(1, zipped.length - 1));
  const broken = Buffer.from(zipped);
  const at = broken.length - 1 - (cut % 8);
  broken[at] = (broken[at] ?? 0) ^ 0xff;
  return broken;
}

// ---- a valid export afterwards must be stored ----

let canarySeq = 0;

async function assertStillServing(server: TestServer): Promise<void> {
  const session = `fuzz-after-${++canarySeq}`;
  const body = encodeLogsProto(
    claudeLogsRequest({ sessionId: session, count: 1, timeBaseMs: Date.now(), seed: canarySeq }),
  );
  const answer = await post(server.otlpHttpUrl, '/v1/logs', body, {
    'content-type': 'application/x-protobuf',
  });
  assert.equal(answer.status, 200);
  const rows = await server.db.withRead((r) =>
    r.all(`SELECT count(*) AS n FROM events WHERE session_id = ?`, [session]),
  );
  assert.equal(Number(rows[0]?.n), 1);
}

function grpcExport(
  target: string,
  service: 'metrics' | 'logs' | 'traces',
  body: Uint8Array,
  gzip = false,
): Promise<number> {
  // 2 is grpc-js's code for gzip: the message then travels compressed, with the compressed flag set.
  const client = new Client(
    target,
    credentials.createInsecure(),
    gzip ? { 'grpc.default_compression_algorithm': 2 } : {},
  );
  const pkg = service === 'traces' ? 'trace' : service;
  const name = service === 'metrics' ? 'Metrics' : service === 'logs' ? 'Logs' : 'Trace';
  return new Promise<number>((resolve) => {
    client.makeUnaryRequest(
      `/opentelemetry.proto.collector.${pkg}.v1.${name}Service/Export`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      new Metadata(),
      { deadline: Date.now() + REQUEST_TIMEOUT_MS },
      (error: ServiceError | null) => {
        client.close();
        resolve(error === null ? GrpcStatus.OK : error.code);
      },
    );
  });
}

after(() => console.log(`fuzz: ${tried} inputs tried`));

describe('fuzzing the OTLP receivers', () => {
  let server: TestServer;
  const crashes: unknown[] = [];
  const onCrash = (error: unknown): void => {
    crashes.push(error);
  };
  before(async () => {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtExceptionMonitor', onCrash);
    server = await startTestServer({});
  });
  after(async () => {
    await server.stop();
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtExceptionMonitor', onCrash);
  });

  it('OTLP/HTTP answers 2xx or 4xx with a google.rpc.Status to any body, type, signal and compression', async () => {
    await check(
      fc.asyncProperty(
        bodies,
        contentTypes,
        paths,
        compressions,
        fc.nat(),
        async (body, contentType, path, compression, cut) => {
          tried += 1;
          const headers: Record<string, string> = { 'content-type': contentType };
          if (compression !== 'none') headers['content-encoding'] = 'gzip';
          const answer = await post(server.otlpHttpUrl, path, compress(body, compression, cut), headers);
          assert.ok(answer.status >= 200 && answer.status < 500, `status ${answer.status}`);
          if (answer.status >= 400) assertStatusBody(answer);
          // Content-Type is checked first, so only a supported one reaches the gzip stream.
          if (compression === 'broken-gzip' && SUPPORTED.has(contentType)) assert.equal(answer.status, 400);
        },
      ),
      RUNS * 4,
    );
    await assertStillServing(server);
    assert.deepEqual(crashes, []);
  });

  it('OTLP/JSON with an edge value in a field is accepted or refused as invalid, never a 503 to retry', async () => {
    await check(
      fc.asyncProperty(signalFieldMutated, async ({ path, body }) => {
        tried += 1;
        const answer = await post(server.otlpHttpUrl, path, body, { 'content-type': 'application/json' });
        assert.ok(
          answer.status === 200 || answer.status === 400,
          `status ${answer.status}: ${answer.body.toString()}`,
        );
        if (answer.status === 400) assertStatusBody(answer);
      }),
      RUNS * 2,
    );
    await assertStillServing(server);
    assert.deepEqual(crashes, []);
  });

  it('OTLP/gRPC answers OK or INVALID_ARGUMENT to any message, plain or gzipped', async () => {
    const grpcBodies = fc.oneof(
      validProto,
      fc.tuple(validProto, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, m]) => mutate(b, m)),
      fc.uint8Array({ maxLength: 512 }),
    );
    await check(
      fc.asyncProperty(
        grpcBodies,
        fc.constantFrom('metrics' as const, 'logs' as const, 'traces' as const),
        fc.boolean(),
        async (body, service, gzip) => {
          tried += 1;
          const code = await grpcExport(server.grpcTarget, service, body, gzip);
          assert.ok(
            code === GrpcStatus.OK || code === GrpcStatus.INVALID_ARGUMENT,
            `gRPC status ${GrpcStatus[code]}`,
          );
        },
      ),
      RUNS * 2,
    );
    await assertStillServing(server);
    assert.deepEqual(crashes, []);
  });
});
