/**
 * Ingest throughput: realistic Claude Code payloads (100 points or records per request) sent to a
 * ccmon child process over each protocol, acknowledged after commit; every payload is unique. Prints accepted points/s and
 * events/s, p50/p99 request latency, the CPU the server and this client used (in cores: both share the
 * machine) and the server's peak RSS.
 *
 *   npx tsx bench/ingest.ts [--seconds 10] [--concurrency 16] [--requests 3000] [--protocols grpc,grpc-gzip,http-proto,http-proto-gzip,http-json]
 *     [--per-request 100] [--shape spread|export] [--serve-args="--max-busy 0.9"]
 *
 * A closed loop: N requests in flight, the next sent when one is answered. --shape export puts all of a
 * metrics request's points at one moment, as one Claude Code export does (default: spread over 15
 * minutes, as before). Protocols: grpc, grpc-gzip, http-proto, http-proto-gzip, http-json, http-json-gzip.
 * The open-loop benchmarks (a fixed offered rate) are bench/knee.ts and bench/overload.ts.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { spawnServer, tempDir, type ChildServer } from '../test/support/server.js';
import {
  buildPayload,
  cpuSeconds,
  createSender,
  memoryMb,
  parseProtocols,
  parseShape,
  percentile,
  splitArgs,
  transportOf,
  type Protocol,
  type Signal,
} from './load.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    protocols: { type: 'string', default: 'grpc,grpc-gzip,http-proto,http-proto-gzip,http-json' },
    'per-request': { type: 'string', default: '100' },
    requests: { type: 'string', default: '3000' },
    shape: { type: 'string', default: 'spread' },
    'serve-args': { type: 'string', default: '' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const PER_REQUEST = Number(values['per-request']);
const REQUESTS = Number(values.requests);
const SHAPE = parseShape(values.shape);
const PROTOCOLS = parseProtocols(values.protocols);
const SERVE_ARGS = splitArgs(values['serve-args']);

async function run(server: ChildServer, name: Protocol, signal: Signal): Promise<string> {
  const { grpc, json, gzip } = transportOf(name);
  const sender = createSender(name, server, { maxSockets: CONCURRENCY, timeoutMs: 120_000 });
  // Pre-built, so that encoding does not compete with the server for the CPU; each is sent once
  // (a repeat would be a re-send, deduplicated, and flatter the figures).
  const base = (signal === 'logs' ? 1e6 : 0) + name.length * 1e7 + (gzip ? 5e5 : 0);
  // HTTP bodies are compressed here, gRPC compresses in the client library.
  const bodies = Array.from({ length: REQUESTS }, (_, i) => {
    const body = buildPayload(signal, base + i, { perRequest: PER_REQUEST, json, shape: SHAPE });
    return gzip && !grpc ? gzipSync(body) : body;
  });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const serverCpu0 = cpuSeconds(server.process.pid ?? 0);
  const clientCpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const body = bodies[next++];
        if (body === undefined) break;
        const t0 = performance.now();
        const answer = await sender.send(signal, body);
        if (answer.outcome === 'ok') latencies.push(performance.now() - t0);
        else errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const serverCores = (cpuSeconds(server.process.pid ?? 0) - serverCpu0) / elapsed;
  const clientCpu = process.cpuUsage(clientCpu0);
  const clientCores = (clientCpu.user + clientCpu.system) / 1e6 / elapsed;
  sender.close();
  latencies.sort((a, b) => a - b);
  const perSecond = Math.round((latencies.length * PER_REQUEST) / elapsed);
  return [
    name.padEnd(16),
    signal.padEnd(8),
    `${perSecond.toLocaleString('en-US')} ${signal === 'metrics' ? 'points' : 'events'}/s`.padStart(18),
    `p50 ${percentile(latencies, 0.5).toFixed(1)} ms`.padStart(13),
    `p99 ${percentile(latencies, 0.99).toFixed(1)} ms`.padStart(13),
    `errors ${errors}`.padStart(10),
    `server ${serverCores.toFixed(2)} cores, client ${clientCores.toFixed(2)}`,
  ].join(' ');
}

const dataDir = tempDir('ccmon-bench-');
const server = await spawnServer(dataDir, SERVE_ARGS);
console.log(
  `ccmon ingest benchmark: ${PER_REQUEST} per request, ${CONCURRENCY} in flight, ${SECONDS} s per run; acknowledged after commit`,
);
try {
  for (const name of PROTOCOLS) {
    for (const signal of ['metrics', 'logs'] as const) console.log(await run(server, name, signal));
  }
  console.log(`server peak RSS ${memoryMb(server.process.pid ?? 0).hwm.toFixed(0)} MB`);
} finally {
  server.process.kill('SIGTERM');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
