/**
 * Ingest throughput: realistic Claude Code payloads (100 points or records per request) sent to a
 * ccmon child process over each protocol, acknowledged after commit; every payload is unique. Prints accepted points/s and
 * events/s, p50/p99 request latency and the server's peak RSS.
 *
 *   npx tsx bench/ingest.ts [--seconds 10] [--concurrency 16] [--requests 3000] [--protocols grpc,http-proto,http-json]
 */
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import {
  claudeLogsRequest,
  claudeMetricsRequest,
  encodeLogsProto,
  encodeMetricsProto,
} from '../test/support/otlp-encode.js';
import { spawnServer, tempDir, type ChildServer } from '../test/support/server.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    protocols: { type: 'string', default: 'grpc,grpc-gzip,http-proto,http-proto-gzip,http-json' },
    'per-request': { type: 'string', default: '100' },
    requests: { type: 'string', default: '3000' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const PER_REQUEST = Number(values['per-request']);
const REQUESTS = Number(values.requests);

type Signal = 'metrics' | 'logs';
type Sender = (signal: Signal, body: Uint8Array) => Promise<void>;

/** Unique payloads: each request has its own session and time, so none is a duplicate of another. */
function payload(signal: Signal, i: number, json: boolean): Uint8Array {
  const opts = {
    count: PER_REQUEST,
    sessionId: `bench-${signal}-${i}`,
    seed: i,
    timeBaseMs: Date.now() - 3_600_000 + i,
    machineName: `m${i % 7}`,
  };
  const request = signal === 'metrics' ? claudeMetricsRequest(opts) : claudeLogsRequest(opts);
  if (json) return Buffer.from(JSON.stringify(request));
  return signal === 'metrics' ? encodeMetricsProto(request) : encodeLogsProto(request);
}

/** node:http with keep-alive: fetch costs the client more CPU than the server spends on a request. */
function httpSender(base: string, json: boolean, gzip: boolean): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return (signal, body) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {
        'content-type': json ? 'application/json' : 'application/x-protobuf',
        'content-length': body.byteLength,
      };
      if (gzip) headers['content-encoding'] = 'gzip';
      const req = request(`${base}/v1/${signal}`, { method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode ?? 0}`)),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
}

function grpcSender(target: string, gzip: boolean): Sender {
  const client = new Client(
    target,
    credentials.createInsecure(),
    gzip ? { 'grpc.default_compression_algorithm': 2 } : {},
  );
  const paths = {
    metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
    logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  };
  return (signal, body) =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        paths[signal],
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(body),
        new Metadata(),
        (error) => (error ? reject(error) : resolve()),
      );
    });
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function run(server: ChildServer, name: string, signal: Signal): Promise<string> {
  const json = name.includes('json');
  const gzip = name.endsWith('gzip');
  const send = name.startsWith('grpc')
    ? grpcSender(server.grpcTarget, gzip)
    : httpSender(server.otlpHttpUrl, json, gzip);
  // Pre-built, so that encoding does not compete with the server for the CPU; each is sent once
  // (a repeat would be a re-send, deduplicated, and flatter the figures).
  const base = (signal === 'logs' ? 1e6 : 0) + name.length * 1e7 + (gzip ? 5e5 : 0);
  // HTTP bodies are compressed here, gRPC compresses in the client library.
  const bodies = Array.from({ length: REQUESTS }, (_, i) => {
    const body = payload(signal, base + i, json);
    return gzip && !name.startsWith('grpc') ? gzipSync(body) : body;
  });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const body = bodies[next++];
        if (body === undefined) break;
        const t0 = performance.now();
        try {
          await send(signal, body);
          latencies.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const perSecond = Math.round((latencies.length * PER_REQUEST) / elapsed);
  return [
    name.padEnd(16),
    signal.padEnd(8),
    `${perSecond.toLocaleString('en-US')} ${signal === 'metrics' ? 'points' : 'events'}/s`.padStart(18),
    `p50 ${percentile(latencies, 0.5).toFixed(1)} ms`.padStart(13),
    `p99 ${percentile(latencies, 0.99).toFixed(1)} ms`.padStart(13),
    `errors ${errors}`.padStart(10),
  ].join(' ');
}

const dataDir = tempDir('ccmon-bench-');
const server = await spawnServer(dataDir);
console.log(
  `ccmon ingest benchmark: ${PER_REQUEST} per request, ${CONCURRENCY} in flight, ${SECONDS} s per run; acknowledged after commit`,
);
try {
  for (const name of values.protocols.split(',')) {
    for (const signal of ['metrics', 'logs'] as const) console.log(await run(server, name, signal));
  }
  console.log(`server peak RSS ${peakRssMb(server.process.pid ?? 0).toFixed(0)} MB`);
} finally {
  server.process.kill('SIGTERM');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
