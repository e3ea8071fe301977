/**
 * The security review (docs/security.md): each test shows one protection holding against the
 * request an attacker would send, on the real listeners.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import http2 from 'node:http2';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { resolveServeConfig } from '../src/config/serve-config.js';
import { bearerChecker } from '../src/otlp/auth.js';
import { bindGrpc, createOtlpGrpcServer, GRPC_IDLE_MS } from '../src/otlp/grpc-receiver.js';
import { createOtlpHttpServer } from '../src/otlp/http-receiver.js';
import { InflightBudget } from '../src/otlp/inflight.js';
import type { Ingest, ReceiverOptions } from '../src/otlp/ingest.js';
import { createApiServer } from '../src/server/api.js';
import { createHealthServer } from '../src/server/health.js';
import type { HttpTimeouts } from '../src/server/http-timeouts.js';
import { json, type Route } from '../src/server/routes.js';
import { isStaticPath } from '../src/server/static-routes.js';
import { Database } from '../src/store/database.js';
import { costRequest } from './support/cost-request.js';
import { encodeMetricsProto } from './support/otlp-encode.js';
import { startTestServer, type TestServer } from './support/server.js';

const ROOT = join(import.meta.dirname, '..');
const TOKEN = 'security-token-1234';
const NOW_NS = BigInt(Date.now()) * 1_000_000n;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** node:http, not fetch: fetch may not set Host, and sends the path as the URL parser left it. */
function send(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function bearer(token = TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function hostOf(url: string): string {
  return new URL(url).host;
}

function portOf(url: string): number {
  return Number(new URL(`http://${url.replace(/^http:\/\//, '')}`).port);
}

function grpcExport(target: string, body: Uint8Array, token?: string): Promise<void> {
  const client = new Client(target, credentials.createInsecure());
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      metadata,
      (error) => {
        client.close();
        if (error) reject(error);
        else resolve();
      },
    );
  });
}

async function storedCost(server: TestServer, sessionId: string): Promise<number> {
  const rows = await server.db.withRead((r) =>
    r.all(`SELECT coalesce(sum(value), 0) AS v FROM points WHERE session_id = ?`, [sessionId]),
  );
  return Number(rows[0]?.v);
}

/** Whether a TCP connection to host:port is accepted (refused, unreachable or 2 s of silence: no). */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Addresses of this machine other than 127.0.0.1: its interfaces, ::1, and on Linux 127.0.0.2 (all of
 * 127/8 reaches the loopback device there, so only a listener on 127.0.0.1 itself refuses it).
 */
function otherLocalAddresses(): string[] {
  const interfaces = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80'))
    .map((a) => a?.address ?? '');
  return [...interfaces, '::1', ...(process.platform === 'linux' ? ['127.0.0.2'] : [])];
}

/** A raw TCP client: what it sends, then how long until the server closes the socket (and what it said). */
function stall(
  port: number,
  payload: string | Buffer | undefined,
  giveUpMs: number,
): Promise<{ closedAfterMs: number | undefined; received: string }> {
  return new Promise((resolve) => {
    const start = Date.now();
    let received = '';
    const socket = connect({ host: '127.0.0.1', port }, () => {
      if (payload !== undefined) socket.write(payload);
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closedAfterMs: undefined, received });
    }, giveUpMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - start, received });
    });
  });
}

function listenLoopback(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/** Receiver options around an ingest that stores nothing: for the listeners' own behaviour. */
function fakeReceiver(): ReceiverOptions {
  const ingest = { export: async () => undefined } as unknown as Ingest;
  return {
    ingest,
    budget: new InflightBudget(1024 * 1024),
    maxRequestBytes: 1024 * 1024,
    retryAfterMs: 1_000,
    authorized: () => true,
  };
}

/**
 * Every API route of `ccmon serve`, one concrete path each. The test below checks this list
 * against the routes declared in the source, so a new route cannot be missed here.
 */
const API_PATHS = [
  '/api/v1/status',
  '/api/v1/setup',
  '/api/v1/alerts',
  '/api/v1/dashboard',
  '/api/v1/panels',
  '/api/v1/panels/1',
  '/api/v1/filters',
  '/api/v1/events',
  '/api/v1/sessions',
  '/api/v1/sessions/no-such-session',
  '/api/v1/report/summary',
  '/api/v1/report/sessions',
  '/api/v1/report/daily',
  '/api/v1/report/models',
  '/api/v1/report/machines',
  '/api/v1/report/users',
  '/metrics',
];

/** Route patterns as written in src/main.ts and src/server/*-routes.ts, with their methods. */
function declaredRoutes(): { method: string; pattern: string }[] {
  const dir = join(ROOT, 'src', 'server');
  const files = [
    join(ROOT, 'src', 'main.ts'),
    ...readdirSync(dir)
      .filter((f) => f.endsWith('-routes.ts'))
      .map((f) => join(dir, f)),
  ];
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/method:\s*'([A-Z]+)',\s*path:\s*(['`])(.*?)\2/gs)].map((m) => ({
      method: m[1] ?? '',
      pattern: m[3] ?? '',
    })),
  );
}

function patternRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split(/(\$\{[^}]+\}|:[a-z]+)/i)
    .map((part, i) => (i % 2 === 1 ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

describe('security review', () => {
  let guarded: TestServer;
  let open: TestServer;

  before(async () => {
    [guarded, open] = await Promise.all([startTestServer({ token: TOKEN }), startTestServer()]);
  });
  after(() => Promise.all([guarded.stop(), open.stop()]));

  describe('1. listeners bind loopback unless told otherwise', () => {
    it('resolves all four listeners to 127.0.0.1 by default, and a HOST:PORT without host too', () => {
      const defaults = resolveServeConfig({}, {});
      assert.deepEqual(
        [defaults.otlpGrpc, defaults.otlpHttp, defaults.http, defaults.health],
        [
          { host: '127.0.0.1', port: 4317 },
          { host: '127.0.0.1', port: 4318 },
          { host: '127.0.0.1', port: 4380 },
          { host: '127.0.0.1', port: 13133 },
        ],
      );
      const hostless = resolveServeConfig(
        { otlpGrpc: ':5317' },
        { CCMON_OTLP_HTTP: ':5318' },
        { http: ':5380' },
      );
      assert.deepEqual(
        [hostless.otlpGrpc, hostless.otlpHttp, hostless.http],
        [
          { host: '127.0.0.1', port: 5317 },
          { host: '127.0.0.1', port: 5318 },
          { host: '127.0.0.1', port: 5380 },
        ],
      );
      // A bare port is refused rather than guessed.
      assert.throws(() => resolveServeConfig({ health: '13133' }, {}), /expected HOST:PORT/);
      assert.deepEqual(resolveServeConfig({ http: '0.0.0.0:4380' }, {}).http, {
        host: '0.0.0.0',
        port: 4380,
      });
    });

    it('listens on 127.0.0.1 only when started with ports and no host', async () => {
      const server = await startTestServer({ otlpGrpc: ':0', otlpHttp: ':0', http: ':0', health: ':0' });
      // The probe itself: a listener on every interface is reachable at each address it tries.
      const control = createNetServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => {
        // Every interface, IPv6 too where the machine has it.
        control.once('error', () => control.listen(0, '0.0.0.0', resolve));
        control.listen(0, '::', resolve);
      });
      const controlPort = (control.address() as AddressInfo).port;
      const probes: string[] = [];
      for (const address of otherLocalAddresses()) {
        if (await canConnect(address, controlPort)) probes.push(address);
      }
      control.close();
      try {
        assert.ok(probes.length > 0, 'no address other than 127.0.0.1 to probe with');
        const listeners = {
          'OTLP gRPC': server.grpcTarget,
          'OTLP HTTP': server.otlpHttpUrl,
          '--http': server.apiUrl,
          '--health': server.healthUrl,
        };
        for (const [name, url] of Object.entries(listeners)) {
          assert.match(url, /^(http:\/\/)?127\.0\.0\.1:\d+$/, name);
          const port = portOf(url);
          assert.equal(await canConnect('127.0.0.1', port), true, name);
          for (const address of probes) {
            assert.equal(await canConnect(address, port), false, `${name} answers on ${address}`);
          }
        }
      } finally {
        await server.stop();
      }
    });
  });

  describe('2. the token', () => {
    it('is compared as SHA-256 digests in constant time, whatever the length sent', () => {
      const check = bearerChecker(TOKEN);
      assert.equal(check(`Bearer ${TOKEN}`), true);
      assert.equal(check(`bearer  ${TOKEN} `), true);
      for (const wrong of [
        undefined,
        '',
        TOKEN,
        `Basic ${TOKEN}`,
        'Bearer ',
        `Bearer ${TOKEN.slice(0, -1)}`,
        `Bearer ${TOKEN}x`,
        `Bearer ${'x'.repeat(10_000)}`,
      ]) {
        assert.equal(check(wrong), false, String(wrong));
      }
      const source = readFileSync(join(ROOT, 'src', 'otlp', 'auth.ts'), 'utf8');
      assert.match(source, /timingSafeEqual\(digest\(/);
      assert.equal(bearerChecker(undefined)(undefined), true);
    });

    it('covers every route the source declares, and no route changes anything', () => {
      const declared = declaredRoutes().filter((r) => r.pattern.startsWith('/') && !isStaticPath(r.pattern));
      assert.ok(declared.length >= 10, `the scan found only ${declared.length} routes`);
      for (const { pattern } of declared) {
        const re = patternRegExp(pattern);
        assert.ok(
          API_PATHS.some((p) => re.test(p)),
          `${pattern}: add it to API_PATHS (and check docs/security.md)`,
        );
      }
      // Every route reads. A route that changes state needs the cross-site checks tested in item 7.
      assert.deepEqual(
        declaredRoutes().filter((r) => r.method !== 'GET'),
        [],
      );
    });

    it('answers 401 with WWW-Authenticate: Bearer on every API route and /metrics without it', async () => {
      for (const path of API_PATHS) {
        for (const headers of [{}, bearer('wrong-token-1234'), { authorization: TOKEN }]) {
          const res = await send(`${guarded.apiUrl}${path}`, { headers });
          assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
          assert.equal(res.headers['www-authenticate'], 'Bearer', path);
          assert.match(String(res.headers['content-type']), /^application\/json/, path);
          assert.doesNotMatch(res.body, /claude|cost|session_id/i, path);
        }
        const head = await send(`${guarded.apiUrl}${path}`, { method: 'HEAD' });
        assert.equal(head.status, 401, `HEAD ${path}`);
      }
    });

    it('answers every API route with the token, as JSON (/metrics as Prometheus text)', async () => {
      for (const path of API_PATHS) {
        const res = await send(`${guarded.apiUrl}${path}`, { headers: bearer() });
        if (path === '/api/v1/sessions/no-such-session') {
          assert.equal(res.status, 404);
          assert.match(res.body, /no session/);
        } else assert.equal(res.status, 200, `${path}: ${res.body.slice(0, 200)}`);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
        const type = String(res.headers['content-type']);
        if (path === '/metrics') assert.match(type, /^text\/plain; version=0\.0\.4/);
        else {
          assert.equal(type, 'application/json; charset=utf-8', path);
          JSON.parse(res.body);
        }
      }
    });

    it('serves the UI shell without the token; its one fetch sends the token it asks the user for', async () => {
      const page = await send(`${guarded.apiUrl}/`);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      const uiDir = join(ROOT, 'ui', 'src');
      const fetching = readdirSync(uiDir).filter((f) =>
        /\bfetch\(/.test(readFileSync(join(uiDir, f), 'utf8')),
      );
      assert.deepEqual(fetching, ['api.ts'], 'every data request goes through ui/src/api.ts');
      const api = readFileSync(join(uiDir, 'api.ts'), 'utf8');
      assert.match(api, /authorization: `Bearer \$\{token\}`/);
      assert.match(api, /status === 401[\s\S]*askForToken/);
      assert.match(readFileSync(join(uiDir, 'token-form.ts'), 'utf8'), /sessionStorage\.setItem/);
    });
  });

  describe('3. no script from telemetry or from ccmon pages', () => {
    it('sends a strict Content-Security-Policy and nosniff with every HTML page', async () => {
      for (const [method, path] of [
        ['GET', '/'],
        ['GET', '/index.html'],
        ['HEAD', '/'],
      ] as const) {
        const res = await send(`${guarded.apiUrl}${path}`, { method });
        assert.equal(res.status, 200, path);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        const csp = new Map(
          String(res.headers['content-security-policy'])
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .map(([name = '', ...values]) => [name, values]),
        );
        const scripts = csp.get('script-src') ?? csp.get('default-src');
        assert.ok(scripts !== undefined, 'a policy for scripts');
        for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'blob:', 'http:', 'https:']) {
          assert.ok(!scripts.includes(loose), `script-src allows ${loose}`);
          assert.ok(!(csp.get('default-src') ?? []).includes(loose), `default-src allows ${loose}`);
        }
        assert.deepEqual(csp.get('object-src'), ["'none'"]);
        assert.deepEqual(csp.get('base-uri'), ["'none'"]);
        assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
        if (method === 'GET') {
          // What the policy would block anyway: the page itself has no inline script or handler.
          for (const tag of res.body.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc="\/assets\//);
          assert.doesNotMatch(res.body, /\son[a-z]+\s*=/i);
        }
      }
    });

    it('answers errors that echo the path as JSON with nosniff, on every listener', async () => {
      const evil = '/%3Cscript%3Ealert(1)%3C/script%3E';
      const answers = [
        await send(`${guarded.apiUrl}/api/v1${evil}`, { headers: bearer() }),
        await send(`${guarded.apiUrl}${evil}`),
        await send(`${guarded.otlpHttpUrl}${evil}`),
        await send(`${guarded.otlpHttpUrl}/v1/logs${evil}`, { method: 'POST' }),
        await send(`${guarded.healthUrl}/`),
      ];
      for (const res of answers) {
        assert.match(String(res.headers['content-type']), /^application\/json/, res.body);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', res.body);
      }
    });
  });

  describe('5. slow and idle connections', () => {
    const short: HttpTimeouts = { headersMs: 300, requestMs: 800, keepAliveMs: 300 };
    // Node closes an idle keep-alive socket up to a second after keepAliveTimeout.
    const slack = 1_500;

    it('sets headers, request and keep-alive limits on every HTTP listener by default', () => {
      const limits = (s: Server): number[] => [s.headersTimeout, s.requestTimeout, s.keepAliveTimeout];
      assert.deepEqual(limits(createOtlpHttpServer(fakeReceiver())), [10_000, 60_000, 15_000]);
      assert.deepEqual(
        limits(createApiServer({ routes: [], authorized: () => true })),
        [10_000, 60_000, 5_000],
      );
      const health = createHealthServer(() => ({ phase: 'serving', startedAt: new Date(), version: '0' }));
      assert.deepEqual(limits(health), [5_000, 10_000, 5_000]);
      assert.equal(GRPC_IDLE_MS, 120_000);
    });

    it('disconnects a client that stalls in its request line, headers or body, and idle keep-alive sockets', async () => {
      // name, server, a path that reads a POST body
      const servers: [string, Server, string][] = [
        ['OTLP HTTP', createOtlpHttpServer(fakeReceiver(), short), '/v1/logs'],
        [
          '--http',
          createApiServer({
            routes: [{ method: 'POST', path: '/x', handle: async () => json({}) }],
            authorized: () => true,
            timeouts: short,
          }),
          '/x',
        ],
        [
          '--health',
          createHealthServer(() => ({ phase: 'serving', startedAt: new Date(), version: '0' }), short),
          '/',
        ],
      ];
      try {
        await Promise.all(
          servers.map(async ([name, server, postPath]) => {
            const port = await listenLoopback(server);
            const [silent, halfLine, halfHeaders, slowBody, idle] = await Promise.all([
              stall(port, undefined, 5_000),
              stall(port, 'POST /v1/met', 5_000),
              stall(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 5_000),
              stall(
                port,
                `POST ${postPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"x"`,
                5_000,
              ),
              stall(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 5_000),
            ]);
            for (const [what, result, limit] of [
              ['nothing sent', silent, short.headersMs],
              ['half a request line', halfLine, short.headersMs],
              ['half the headers', halfHeaders, short.headersMs],
            ] as const) {
              assert.ok(result.closedAfterMs !== undefined, `${name}, ${what}: still open after 5 s`);
              assert.ok(result.closedAfterMs < limit + slack, `${name}, ${what}: ${result.closedAfterMs} ms`);
              assert.ok(
                result.received === '' || result.received.startsWith('HTTP/1.1 408'),
                result.received,
              );
            }
            if (name !== '--health') {
              // The health server answers without reading a body; the others wait for it, up to requestMs.
              assert.ok(slowBody.closedAfterMs !== undefined, `${name}, slow body: still open`);
              assert.ok(slowBody.closedAfterMs >= short.requestMs - 100, `${name}: answered before the body`);
              assert.match(slowBody.received, /^HTTP\/1\.1 408/, name);
              assert.ok(
                slowBody.closedAfterMs < short.requestMs + slack,
                `${name}: ${slowBody.closedAfterMs} ms`,
              );
            }
            assert.match(idle.received, /^HTTP\/1\.1 \d{3}/, `${name}: answered`);
            assert.ok(idle.closedAfterMs !== undefined, `${name}, idle keep-alive: still open after 5 s`);
            assert.ok(idle.closedAfterMs < short.keepAliveMs + slack, `${name}: ${idle.closedAfterMs} ms`);
          }),
        );
      } finally {
        for (const [, server] of servers) server.close();
      }
    });

    it('closes gRPC connections that never finish the HTTP/2 preface, and idle ones', async () => {
      const server = createOtlpGrpcServer(fakeReceiver(), 300);
      const port = await bindGrpc(server, '127.0.0.1', 0);
      try {
        const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
        const [silent, halfPreface] = await Promise.all([
          stall(port, undefined, 5_000),
          stall(port, preface.subarray(0, 10), 5_000),
        ]);
        for (const result of [silent, halfPreface]) {
          assert.ok(result.closedAfterMs !== undefined, 'still open after 5 s');
          assert.ok(result.closedAfterMs < 300 + slack, `${result.closedAfterMs} ms`);
        }
        const start = Date.now();
        const session = http2.connect(`http://127.0.0.1:${port}`);
        session.on('error', () => undefined);
        await once(session, 'close');
        assert.ok(Date.now() - start < 300 + slack, `idle session open for ${Date.now() - start} ms`);
      } finally {
        server.forceShutdown();
      }
    });
  });

  describe('6. HTTP/2 rapid reset (CVE-2023-44487)', () => {
    it('keeps serving gRPC after 5,000 streams opened and cancelled at once', async () => {
      const session = http2.connect(`http://${guarded.grpcTarget}`);
      // Node's fix ends such a session (GOAWAY); that is the server defending itself, not a failure.
      let ended = false;
      session.on('error', () => (ended = true));
      session.on('goaway', () => (ended = true));
      await once(session, 'connect');
      let opened = 0;
      while (opened < 5_000 && !ended && !session.closed && !session.destroyed) {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
          'content-type': 'application/grpc',
          te: 'trailers',
        });
        stream.on('error', () => undefined);
        stream.close(http2.constants.NGHTTP2_CANCEL);
        opened += 1;
        if (opened % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      session.destroy();
      assert.ok(opened === 5_000 || ended, `the client stopped after ${opened} streams by itself`);
      await grpcExport(guarded.grpcTarget, encodeMetricsProto(costRequest('after-reset', 3)), TOKEN);
      assert.equal(await storedCost(guarded, 'after-reset'), 3);
      assert.equal((await send(`${guarded.healthUrl}/`)).status, 200);
    });

    it('refuses to start on a Node.js without the fix, as package.json says', async () => {
      const engines = (
        JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
      ).engines.node;
      const [major = 0, minor = 0, patch = 0] =
        /(\d+)\.(\d+)(?:\.(\d+))?/
          .exec(engines)
          ?.slice(1)
          .map((n) => Number(n ?? 0)) ?? [];
      assert.ok(
        major > 20 || (major === 20 && (minor > 8 || (minor === 8 && patch >= 1))),
        `engines.node ${engines} admits Node before 20.8.1`,
      );
      const pretend = (version: string): string =>
        `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'${version}'}})`;
      const bin = join(ROOT, 'bin', 'ccmon.js');
      for (const old of ['20.8.0', '18.18.2']) {
        const refused = await run(process.execPath, ['--import', pretend(old), bin, '--version']);
        assert.equal(refused.code, 1, old);
        assert.match(
          refused.stderr,
          new RegExp(`needs Node\\.js 20\\.10 or newer, this is ${old.replace(/\./g, '\\.')}`),
        );
      }
      const current = await run(process.execPath, ['--import', pretend('20.10.0'), bin, '--version']);
      assert.equal(current.code, 0, current.stderr);
    });
  });

  describe('7. cross-site requests', () => {
    let api: Server;
    let base: string;
    const writes: string[] = [];

    before(async () => {
      const routes: Route[] = [
        {
          method: 'POST',
          path: '/api/v1/things',
          handle: async ({ body }) => {
            writes.push(body.toString('utf8'));
            return json({ ok: true });
          },
        },
        { method: 'GET', path: '/api/v1/things', handle: async () => json({ things: writes }) },
      ];
      api = createApiServer({ routes, authorized: () => true });
      base = `http://127.0.0.1:${await listenLoopback(api)}`;
    });
    after(() => api.close());

    it('refuses a state-changing request from another site with 403 and why, before anything runs', async () => {
      const own = `http://${hostOf(base)}`;
      const refused: [Record<string, string>, RegExp][] = [
        [{ 'sec-fetch-site': 'cross-site' }, /Sec-Fetch-Site/],
        [{ origin: 'https://evil.example' }, /evil\.example.*Origin/],
        [{ origin: 'null' }, /Origin/],
        // Another port on the same host is the same site, but another origin.
        [{ origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' }, /Origin/],
      ];
      for (const [headers, why] of refused) {
        for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
          const res = await send(`${base}/api/v1/things`, {
            method,
            headers: { ...headers, 'content-type': 'application/json' },
            body: method === 'OPTIONS' ? undefined : '{"x":1}',
          });
          assert.equal(res.status, 403, `${method} ${JSON.stringify(headers)}`);
          assert.match(String(res.headers['content-type']), /^application\/json/);
          assert.match((JSON.parse(res.body) as { error: string }).error, why);
          assert.equal(res.headers['access-control-allow-origin'], undefined);
        }
      }
      assert.deepEqual(writes, []);
      const ok = await send(`${base}/api/v1/things`, {
        method: 'POST',
        headers: { origin: own, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
        body: '{"x":1}',
      });
      assert.equal(ok.status, 200, ok.body);
      assert.deepEqual(writes, ['{"x":1}']);
      // Reading stays possible from anywhere the browser lets it (it keeps the answer from other sites).
      const read = await send(`${base}/api/v1/things`, { headers: { 'sec-fetch-site': 'cross-site' } });
      assert.equal(read.status, 200);
    });

    it('refuses a body that is not application/json with 415 (what a form or a no-cors fetch sends)', async () => {
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        undefined,
      ]) {
        const res = await send(`${base}/api/v1/things`, {
          method: 'POST',
          headers: type === undefined ? {} : { 'content-type': type },
          body: '{"x":2}',
        });
        assert.equal(res.status, 415, String(type));
      }
      assert.ok(!writes.includes('{"x":2}'));
    });

    it('answers no CORS preflight with an allow, and refuses cross-site writes on the real server', async () => {
      const preflight = {
        method: 'OPTIONS',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      };
      for (const url of [
        `${guarded.apiUrl}/api/v1/status`,
        `${open.apiUrl}/api/v1/status`,
        `${open.otlpHttpUrl}/v1/logs`,
        `${open.otlpHttpUrl}/v1/metrics`,
      ]) {
        const res = await send(url, preflight);
        assert.ok(res.status >= 400, `${url}: ${res.status}`);
        assert.equal(res.headers['access-control-allow-origin'], undefined, url);
        assert.equal(res.headers['access-control-allow-methods'], undefined, url);
      }
      const post = await send(`${open.apiUrl}/api/v1/anything`, {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
        body: 'x',
      });
      assert.equal(post.status, 403);
    });

    it('refuses on OTLP/HTTP every body type a page can send without a preflight, storing nothing', async () => {
      const body = JSON.stringify(costRequest('form-post', 7));
      for (const type of [
        'text/plain',
        'text/plain; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        undefined,
      ]) {
        const res = await send(`${open.otlpHttpUrl}/v1/metrics`, {
          method: 'POST',
          headers: {
            origin: 'https://evil.example',
            ...(type === undefined ? {} : { 'content-type': type }),
          },
          body,
        });
        assert.equal(res.status, 415, String(type));
        assert.equal(res.headers['access-control-allow-origin'], undefined);
      }
      assert.equal(await storedCost(open, 'form-post'), 0);
    });

    it('answers a token-less loopback listener only under names a web page cannot re-point (DNS rebinding)', async () => {
      const port = (url: string): string => new URL(url).port;
      for (const url of [`${open.apiUrl}/api/v1/status`, `${open.apiUrl}/`, `${open.otlpHttpUrl}/v1/logs`]) {
        const method = url.includes('/v1/logs') ? 'POST' : 'GET';
        const headers = { 'content-type': 'application/json', host: `evil.example:${port(url)}` };
        const res = await send(url, { method, headers, body: method === 'POST' ? '{}' : undefined });
        assert.equal(res.status, 403, url);
        assert.match(res.body, /--token/);
        for (const host of ['127.0.0.1', 'localhost', 'app.localhost', '[::1]']) {
          const fine = await send(url, {
            method,
            headers: { ...headers, host: `${host}:${port(url)}` },
            body: method === 'POST' ? '{}' : undefined,
          });
          assert.equal(fine.status, 200, `${url} as ${host}: ${fine.body}`);
        }
      }
      // With a token a rebound page cannot read anything, so other names (a proxy's) are served.
      const proxied = await send(`${guarded.apiUrl}/api/v1/status`, {
        headers: { ...bearer(), host: 'ccmon.example.org' },
      });
      assert.equal(proxied.status, 200);
    });
  });

  describe('8. --drop-content', () => {
    const SECRETS = {
      prompt: 'SECRET-prompt: please refactor the billing module',
      tool_input: 'SECRET-tool-input: cat ~/.ssh/id_ed25519',
      tool_parameters: '{"command":"SECRET-tool-parameters rm -rf build"}',
      response: 'SECRET-response: here is the refactored code',
      body: '{"messages":[{"role":"user","content":"SECRET-raw-api-body"}]}',
    };

    function contentLogs(sessionId: string): object {
      const event = (name: string, seq: number, attrs: Record<string, string>): object => ({
        timeUnixNano: String(NOW_NS - 120_000_000_000n + BigInt(seq) * 1_000_000_000n),
        body: { stringValue: `claude_code.${name}` },
        attributes: Object.entries({
          'event.name': name,
          'event.sequence': String(seq),
          'session.id': sessionId,
          'prompt.id': 'prompt-1',
          ...attrs,
        }).map(([key, value]) => ({ key, value: { stringValue: value } })),
      });
      return {
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
            scopeLogs: [
              {
                scope: { name: 'com.anthropic.claude_code.events' },
                logRecords: [
                  event('user_prompt', 0, { prompt: SECRETS.prompt, prompt_length: '48' }),
                  event('api_request', 1, {
                    model: 'claude-sonnet-4-5',
                    cost_usd: '0.25',
                    input_tokens: '1200',
                  }),
                  event('tool_decision', 2, {
                    tool_name: 'Bash',
                    decision: 'accept',
                    tool_parameters: SECRETS.tool_parameters,
                  }),
                  event('tool_result', 3, {
                    tool_name: 'Bash',
                    success: 'true',
                    duration_ms: '12',
                    tool_input: SECRETS.tool_input,
                    tool_parameters: SECRETS.tool_parameters,
                  }),
                  event('assistant_response', 4, { response: SECRETS.response, response_length: '44' }),
                  event('api_response_body', 5, { body: SECRETS.body, body_length: '63' }),
                ],
              },
            ],
          },
        ],
      };
    }

    async function storeAndRead(
      server: TestServer,
      sessionId: string,
    ): Promise<{ api: string; store: string }> {
      const sent = await send(`${server.otlpHttpUrl}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer() },
        body: JSON.stringify(contentLogs(sessionId)),
      });
      assert.equal(sent.status, 200, sent.body);
      const api = await send(`${server.apiUrl}/api/v1/events?session=${sessionId}&limit=100`, {
        headers: bearer(),
      });
      assert.equal(api.status, 200, api.body);
      const rows = await server.db.withRead((r) =>
        r.all(`SELECT CAST(to_json(e) AS VARCHAR) AS row FROM events e WHERE session_id = ?`, [sessionId]),
      );
      assert.equal(rows.length, 6);
      return { api: api.body, store: rows.map((r) => String(r.row)).join('\n') };
    }

    it('stores none of the prompt, response, tool input or API body text, and keeps the rest', async () => {
      const dropping = await startTestServer({ dropContent: true });
      try {
        const { api, store } = await storeAndRead(dropping, 'drop-content');
        for (const [key, secret] of Object.entries(SECRETS)) {
          assert.ok(!api.includes('SECRET') && !store.includes('SECRET'), `${key} was stored`);
          assert.ok(!store.includes(secret), key);
        }
        const events = (
          JSON.parse(api) as { events: { name: string; attributes: Record<string, unknown> }[] }
        ).events;
        const byName = new Map(events.map((e) => [e.name, e]));
        assert.equal(byName.get('user_prompt')?.attributes.prompt, '<REDACTED>');
        assert.equal(byName.get('user_prompt')?.attributes.prompt_length, '48');
        assert.equal(byName.get('tool_result')?.attributes.tool_input, '<REDACTED>');
        assert.equal(byName.get('api_response_body')?.attributes.body_length, '63');
        const result = events.find((e) => e.name === 'tool_result') as unknown as Record<string, unknown>;
        assert.equal(result.tool_name, 'Bash');
        assert.equal(result.success, true);
        assert.equal(result.duration_ms, 12);
        const request = events.find((e) => e.name === 'api_request') as unknown as Record<string, unknown>;
        assert.equal(request.cost_usd, 0.25);
        assert.equal(request.model, 'claude-sonnet-4-5');
        assert.equal(request.input_tokens, 1200);
      } finally {
        await dropping.stop();
      }
    });

    it('keeps that text without the setting', async () => {
      const { api, store } = await storeAndRead(open, 'keep-content');
      for (const [key, secret] of Object.entries(SECRETS)) {
        assert.ok(api.includes(JSON.stringify(secret).slice(1, -1)), `${key} missing from the API`);
        assert.ok(store.includes(JSON.stringify(secret).slice(1, -1)), `${key} missing from the store`);
      }
    });
  });

  describe('the store', () => {
    it('creates its data dir readable by its own user only', async () => {
      const parent = mkdtempSync(join(tmpdir(), 'ccmon-private-'));
      try {
        const db = await Database.open(join(parent, 'data'));
        await db.close();
        assert.equal(statSync(join(parent, 'data')).mode & 0o777, 0o700);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    });
  });

  describe('9. dependencies', () => {
    it('npm audit --omit=dev finds no high or critical vulnerability', async (t) => {
      const { code, stdout, stderr } = await run('npm', ['audit', '--omit=dev', '--json']);
      let report: AuditReport = {};
      try {
        report = JSON.parse(stdout) as AuditReport;
      } catch {
        // reported below
      }
      const counts = report.metadata?.vulnerabilities;
      if (counts === undefined) {
        const why = `npm audit exited ${code}: ${report.message ?? report.error?.summary ?? stderr.slice(0, 500)}`;
        // Some registry mirrors and proxies refuse the advisory endpoint (405) though they serve
        // packages; that is no finding, so it is reported as a skip with the reason. Any other
        // failure to get a report fails the test.
        if (
          /\b405\b|Method Not Allowed|audit endpoint returned an error|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(
            why + stderr,
          )
        )
          return t.skip(`the registry does not answer npm audit: ${why}`);
        assert.fail(why);
      }
      const serious = Object.values(report.vulnerabilities ?? {}).filter(
        (v) => v.severity === 'high' || v.severity === 'critical',
      );
      assert.equal(
        (counts.high ?? 0) + (counts.critical ?? 0),
        0,
        JSON.stringify(
          serious.map((v) => ({
            name: v.name,
            severity: v.severity,
            range: v.range,
            via: v.via,
            fix: v.fixAvailable,
          })),
          null,
          2,
        ),
      );
    });
  });
});

interface AuditReport {
  message?: string;
  error?: { summary?: string };
  metadata?: { vulnerabilities?: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical', number>> };
  vulnerabilities?: Record<
    string,
    { name: string; severity: string; range?: string; via?: unknown; fixAvailable?: unknown }
  >;
}

function run(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, shell: process.platform === 'win32' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
