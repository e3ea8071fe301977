/**
 * The OTLP receivers against hand-made requests: what is stored, and every refusal with the status
 * the OTLP specification gives it, the server still serving afterwards.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { costRequest } from './support/cost-request.js';
import {
  claudeLogsRequest,
  encodeLogsProto,
  encodeMetricsProto,
  encodeTraceProto,
  otlpRoot,
} from './support/otlp-encode.js';
import {
  spawnServer,
  startTestServer,
  tempDir,
  type ChildServer,
  type TestServer,
} from './support/server.js';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const TOKEN = 'test-token-123';

function eventRequest(sequence: number): object {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: [
              {
                timeUnixNano: String(NOW_NS),
                body: { stringValue: 'claude_code.user_prompt' },
                attributes: [
                  { key: 'event.name', value: { stringValue: 'user_prompt' } },
                  { key: 'event.sequence', value: { intValue: String(sequence) } },
                  { key: 'session.id', value: { stringValue: 'logs-session' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function post(
  base: string,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
  method = 'POST',
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const Status = otlpRoot.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');
const PROTO = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

function grpcExport(
  target: string,
  service: string,
  body: Uint8Array,
  opts: { token?: string; gzip?: boolean } = {},
): Promise<Buffer> {
  const client = new Client(
    target,
    credentials.createInsecure(),
    opts.gzip === true ? { 'grpc.default_compression_algorithm': 2 } : {},
  );
  const metadata = new Metadata();
  if (opts.token !== undefined) metadata.set('authorization', `Bearer ${opts.token}`);
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      `/opentelemetry.proto.collector.${service}.v1.${service === 'metrics' ? 'Metrics' : service === 'logs' ? 'Logs' : 'Trace'}Service/Export`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      metadata,
      (error, value) => {
        client.close();
        if (error) reject(error);
        else resolve(value ?? Buffer.alloc(0));
      },
    );
  });
}

async function storedCost(server: TestServer, sessionId: string): Promise<number> {
  const rows = await server.db.withRead((r) =>
    r.all(
      `SELECT coalesce(sum(value), 0) AS v FROM points WHERE session_id = ? AND metric = 'claude_code.cost.usage'`,
      [sessionId],
    ),
  );
  return Number(rows[0]?.v);
}

describe('OTLP receivers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ token: TOKEN, maxRequestBytes: '1MiB', maxInflightBytes: '1MiB' });
  });
  after(() => server.stop());

  it('stores an OTLP/HTTP protobuf export once, however often it is re-sent, and reports the histogram as partial success', async () => {
    const body = encodeMetricsProto(costRequest('http-proto', 0.5));
    for (let i = 0; i < 3; i++) {
      const answer = await post(server.otlpHttpUrl, '/v1/metrics', body, PROTO);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-type'], 'application/x-protobuf');
      const decoded = Status.toObject(Status.decode(answer.body), { longs: Number });
      assert.deepEqual(decoded.partialSuccess, {
        rejectedDataPoints: 1,
        errorMessage: decoded.partialSuccess.errorMessage,
      });
      assert.match(String(decoded.partialSuccess.errorMessage), /histogram/i);
    }
    assert.equal(await storedCost(server, 'http-proto'), 0.5);
  });

  it("accepts OTLP/JSON and gzip, answering in the request's content type", async () => {
    const json = await post(server.otlpHttpUrl, '/v1/logs', JSON.stringify(eventRequest(1)), JSON_TYPE);
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(json.body.toString()), {});
    const gz = await post(
      server.otlpHttpUrl,
      '/v1/metrics',
      gzipSync(encodeMetricsProto(costRequest('http-gzip', 0.75))),
      { ...PROTO, 'content-encoding': 'gzip' },
    );
    assert.equal(gz.status, 200);
    assert.equal(await storedCost(server, 'http-gzip'), 0.75);
    const rows = await server.db.withRead((r) =>
      r.all(`SELECT name FROM events WHERE session_id = 'logs-session'`),
    );
    assert.deepEqual(rows, [{ name: 'user_prompt' }]);
  });

  it('accepts traces and discards them', async () => {
    const body = encodeTraceProto({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x' }],
            },
          ],
        },
      ],
    });
    assert.equal((await post(server.otlpHttpUrl, '/v1/traces', body, PROTO)).status, 200);
    await grpcExport(server.grpcTarget, 'trace', body, { token: TOKEN });
    const discarded = server.stats.rows().filter((r) => r.signal === 'traces' && r.outcome === 'discarded');
    assert.equal(
      discarded.reduce((n, r) => n + r.value, 0),
      2,
    );
  });

  const refusals: [string, () => Promise<HttpAnswer>, number, RegExp][] = [
    [
      'garbage protobuf',
      () => post(server.otlpHttpUrl, '/v1/metrics', Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02]), PROTO),
      400,
      /./,
    ],
    [
      'invalid JSON',
      () => post(server.otlpHttpUrl, '/v1/logs', '{"resourceLogs": [', JSON_TYPE),
      400,
      /JSON/i,
    ],
    [
      'a JSON body of the wrong shape',
      () => post(server.otlpHttpUrl, '/v1/metrics', '{"resourceMetrics": 5}', JSON_TYPE),
      400,
      /resourceMetrics/,
    ],
    [
      'a gzip bomb',
      () =>
        post(server.otlpHttpUrl, '/v1/metrics', gzipSync(Buffer.alloc(64 * 1024 * 1024)), {
          ...PROTO,
          'content-encoding': 'gzip',
        }),
      413,
      /larger than/,
    ],
    [
      'an oversized body',
      () => post(server.otlpHttpUrl, '/v1/metrics', Buffer.alloc(2 * 1024 * 1024), PROTO),
      413,
      /larger than/,
    ],
    [
      'a wrong content type',
      () => post(server.otlpHttpUrl, '/v1/metrics', 'hello', { ...PROTO, 'content-type': 'text/plain' }),
      415,
      /Content-Type/,
    ],
    [
      'an unknown content encoding',
      () => post(server.otlpHttpUrl, '/v1/metrics', 'x', { ...PROTO, 'content-encoding': 'br' }),
      415,
      /Content-Encoding/,
    ],
    ['a wrong method', () => post(server.otlpHttpUrl, '/v1/metrics', '', PROTO, 'GET'), 405, /POST/],
    ['an unknown path', () => post(server.otlpHttpUrl, '/v2/metrics', '', PROTO), 404, /v1\/metrics/],
    [
      'a missing token',
      () =>
        post(server.otlpHttpUrl, '/v1/metrics', encodeMetricsProto(costRequest('x', 1)), {
          'content-type': 'application/x-protobuf',
        }),
      401,
      /token/,
    ],
    [
      'a wrong token',
      () =>
        post(server.otlpHttpUrl, '/v1/metrics', encodeMetricsProto(costRequest('x', 1)), {
          ...PROTO,
          authorization: 'Bearer nope-nope',
        }),
      401,
      /token/,
    ],
  ];
  for (const [name, send, status, message] of refusals) {
    it(`refuses ${name} with ${status} and keeps serving`, async () => {
      const answer = await send();
      assert.equal(answer.status, status);
      const isJson = String(answer.headers['content-type']).startsWith('application/json');
      const text = isJson
        ? String((JSON.parse(answer.body.toString()) as { message: string }).message)
        : answer.body.toString('latin1');
      assert.match(text, message);
      if (status === 405) assert.equal(answer.headers.allow, 'POST');
      // Building a bomb blocks this process, server included: a 503 with a retry hint for the event
      // loop's lag is then a right answer, and a client retries, as this one does.
      let ok = await post(server.otlpHttpUrl, '/v1/logs', JSON.stringify(eventRequest(2)), JSON_TYPE);
      for (let i = 0; i < 20 && ok.status === 503; i++) {
        assert.match(ok.body.toString(), /event loop runs \d+ ms late/);
        await new Promise((resolve) => setTimeout(resolve, 100));
        ok = await post(server.otlpHttpUrl, '/v1/logs', JSON.stringify(eventRequest(2)), JSON_TYPE);
      }
      assert.equal(ok.status, 200);
    });
  }

  it('answers 503 with Retry-After when requests in flight would exceed the memory budget', async () => {
    const held = httpRequest(new URL('/v1/metrics', server.otlpHttpUrl), {
      method: 'POST',
      headers: { ...PROTO, 'content-length': String(900 * 1024) },
    });
    held.on('error', () => undefined);
    held.write(Buffer.alloc(600 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answer = await post(server.otlpHttpUrl, '/v1/metrics', Buffer.alloc(600 * 1024), PROTO);
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '2');
    held.destroy();
  });

  it('serves OTLP/gRPC with gzip, and refuses bad messages, oversized ones and a wrong token', async () => {
    await grpcExport(server.grpcTarget, 'metrics', encodeMetricsProto(costRequest('grpc-gzip', 1.25)), {
      token: TOKEN,
      gzip: true,
    });
    await grpcExport(server.grpcTarget, 'logs', encodeLogsProto(eventRequest(3)), { token: TOKEN });
    assert.equal(await storedCost(server, 'grpc-gzip'), 1.25);
    const code = (p: Promise<unknown>): Promise<number> =>
      p.then(
        () => GrpcStatus.OK,
        (e: ServiceError) => e.code,
      );
    assert.equal(
      await code(
        grpcExport(server.grpcTarget, 'metrics', Buffer.from([0x0a, 0xff, 0xff, 0x01]), { token: TOKEN }),
      ),
      GrpcStatus.INVALID_ARGUMENT,
    );
    assert.equal(
      await code(grpcExport(server.grpcTarget, 'metrics', Buffer.alloc(2 * 1024 * 1024), { token: TOKEN })),
      GrpcStatus.RESOURCE_EXHAUSTED,
    );
    assert.equal(
      await code(
        grpcExport(server.grpcTarget, 'metrics', Buffer.alloc(8 * 1024 * 1024), { token: TOKEN, gzip: true }),
      ),
      GrpcStatus.RESOURCE_EXHAUSTED,
    );
    assert.equal(
      await code(grpcExport(server.grpcTarget, 'metrics', encodeMetricsProto(costRequest('x', 1)))),
      GrpcStatus.UNAUTHENTICATED,
    );
    assert.equal(
      await code(
        grpcExport(server.grpcTarget, 'metrics', encodeMetricsProto(costRequest('x', 1)), {
          token: 'wrong-token',
        }),
      ),
      GrpcStatus.UNAUTHENTICATED,
    );
    await grpcExport(server.grpcTarget, 'metrics', encodeMetricsProto(costRequest('grpc-after', 2)), {
      token: TOKEN,
    });
    assert.equal(await storedCost(server, 'grpc-after'), 2);
  });

  it('answers the health check with 200 and a JSON status while serving', async () => {
    const response = await fetch(`${server.healthUrl}/`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status: string }).status, 'Server available');
  });
});

/** Starts a ccmon child process with `args` before the suite's tests and stops it after them. */
function childServer(args: string[]): () => ChildServer {
  let child: ChildServer | undefined;
  before(async () => {
    child = await spawnServer(tempDir(), args);
  });
  after(async () => {
    child?.process.kill('SIGTERM');
    await child?.exited;
  });
  return () => {
    if (child === undefined) throw new Error('the child server has not started');
    return child;
  };
}

/** Sends 100 Claude Code events over OTLP/HTTP protobuf, in a session of their own each time. */
function logsExporter(child: () => ChildServer, prefix: string): () => Promise<HttpAnswer> {
  let sent = 0;
  return () =>
    post(
      child().otlpHttpUrl,
      '/v1/logs',
      encodeLogsProto(
        claudeLogsRequest({
          count: 100,
          sessionId: `${prefix}-${sent}`,
          seed: sent++,
          timeBaseMs: Date.now(),
        }),
      ),
      { 'content-type': 'application/x-protobuf' },
    );
}

describe('OTLP receivers of a saturated server (a ccmon child process)', () => {
  // A low --max-busy, so that a few clients sending at once saturate it, and an idle server does not.
  const child = childServer(['--max-busy', '0.25']);

  it('answers 503 with Retry-After while busy beyond --max-busy, and takes exports again once idle', async () => {
    const exportLogs = logsExporter(child, 'busy');
    // Idle (past its busy start-up, and on a test machine that is itself busy): exports are taken.
    const takenOnceIdle = async (): Promise<number> => {
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await exportLogs()).status;
      }
      return status;
    };
    assert.equal(await takenOnceIdle(), 200);
    // Eight clients at once, until one is refused.
    let refused: HttpAnswer | undefined;
    const client = async () => {
      for (let i = 0; i < 100 && refused === undefined; i++) {
        const answer = await exportLogs();
        if (answer.status === 503) refused ??= answer;
        else assert.equal(answer.status, 200);
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    assert.ok(refused, 'no export was refused');
    assert.equal(refused.headers['retry-after'], '2');
    // The body is a google.rpc.Status, whose message is plain UTF-8 among the protobuf bytes.
    assert.match(refused.body.toString('utf8'), /busy \d+% of the last 1000 ms/);
    assert.equal(await takenOnceIdle(), 200);
  });
});

describe('OTLP receivers of a server at its memory limit (a ccmon child process)', () => {
  // A limit every process is over: exports are taken only while none waits for its commit.
  const child = childServer(['--max-memory', '1MiB']);

  it('answers 503 with Retry-After while earlier exports wait for their commit, and stores what it took', async () => {
    const exportLogs = logsExporter(child, 'memory');
    // One at a time, nothing waits when the next one comes: each is taken.
    for (let i = 0; i < 3; i++) assert.equal((await exportLogs()).status, 200);
    let taken = 3;
    const refusals: HttpAnswer[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 5; i++) {
          const answer = await exportLogs();
          if (answer.status === 503) refusals.push(answer);
          else if (answer.status === 200) taken++;
          else assert.fail(`status ${answer.status}`);
        }
      }),
    );
    assert.ok(refusals.length > 0, 'eight clients at once: none was refused');
    assert.ok(taken > 3, 'eight clients at once: none was taken');
    assert.equal(refusals[0]?.headers['retry-after'], '2');
    assert.match(
      refusals[0]?.body.toString('utf8') ?? '',
      /at its memory limit: \d+ MiB resident, over --max-memory 1 MiB/,
    );
    assert.equal((await exportLogs()).status, 200);
    taken++;
    // The events run 25 s from their base time: a range to an hour from now holds them all.
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const summary = await fetch(`${child().apiUrl}/api/v1/report/summary?from=1d&to=${to}`);
    const events = ((await summary.json()) as { events: Record<string, number> }).events;
    assert.equal(
      Object.values(events).reduce((a, b) => a + b, 0),
      taken * 100,
    );
  });
});
