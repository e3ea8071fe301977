/**
 * Overload and recovery: a fresh `ccmon serve` child is offered 3x its knee rate for D1, then 0.5x
 * for D2 (open loop: requests start at the offered rate whatever the answers; metrics and logs
 * requests in turn, every payload unique). Prints every second: offered and acknowledged records/s,
 * 503 / UNAVAILABLE answers with a retry hint, the same without one, other errors, requests the
 * client skipped (too many outstanding), p99 of the answers in that second, and the server's VmRSS.
 * At the end it checks, printing PASS or FAIL for each (exit code 1 on any FAIL):
 *   - no answer other than ok or overload-with-retry-hint (Retry-After / google.rpc.RetryInfo);
 *   - the server's RSS never above the cap (VmHWM, and VmRSS sampled every 250 ms);
 *   - every acknowledged record is stored: after a clean stop, points and events in the store file
 *     are counted and compared with the acknowledged ones (at most those plus the records of requests
 *     whose outcome the client could not know, such as timeouts);
 *   - recovery: from the switch to 0.5x until the first full second with p99 < 1 s and no failure.
 *
 *   npx tsx bench/overload.ts [--knee 8000] [--protocol grpc] [--signals metrics,logs] [--high 3] [--low 0.5]
 *     [--d1 300] [--d2 120] [--rss-cap-mb 300] [--per-request 100] [--shape export|spread]
 *     [--max-outstanding 2000] [--timeout-ms 10000] [--recover-p99-ms 1000] [--serve-args "--max-inflight 64MiB"]
 *
 * --knee is in records/s of this mixed load; without it, a quick search (5 s steps from 2,000/s, x1.5)
 * finds it first on a server of its own. A short smoke run:
 *   npx tsx bench/overload.ts --knee 6000 --d1 20 --d2 15
 */
import { parseArgs } from 'node:util';
import {
  alternate,
  countStored,
  createSender,
  fmt,
  memoryMb,
  ms,
  OpenLoop,
  offerRate,
  parseProtocols,
  openLoopOptions,
  openLoopSettings,
  parseSignals,
  rssSampler,
  SIGNALS,
  startBenchServer,
  Tally,
  UniquePayloads,
  unitOf,
  type Protocol,
  type Signal,
} from './load.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const { values } = parseArgs({
  options: {
    knee: { type: 'string' },
    protocol: { type: 'string', default: 'grpc' },
    signals: { type: 'string', default: 'metrics,logs' },
    high: { type: 'string', default: '3' },
    low: { type: 'string', default: '0.5' },
    d1: { type: 'string', default: '300' },
    d2: { type: 'string', default: '120' },
    'rss-cap-mb': { type: 'string', default: '300' },
    'recover-p99-ms': { type: 'string', default: '1000' },
    ...openLoopOptions(2000),
  },
});
const {
  perRequest: PER_REQUEST,
  shape: SHAPE,
  maxOutstanding: MAX_OUTSTANDING,
  timeoutMs: TIMEOUT_MS,
  serveArgs: SERVE_ARGS,
} = openLoopSettings(values);
const [PROTOCOL] = parseProtocols(values.protocol) as [Protocol];
const SIGNAL_LIST = parseSignals(values.signals);
const HIGH = Number(values.high);
const LOW = Number(values.low);
const D1 = Number(values.d1);
const D2 = Number(values.d2);
const RSS_CAP_MB = Number(values['rss-cap-mb']);
const RECOVER_P99_MS = Number(values['recover-p99-ms']);

const supplies = (): UniquePayloads[] =>
  SIGNAL_LIST.map(
    (signal) => new UniquePayloads(PROTOCOL, signal, { perRequest: PER_REQUEST, shape: SHAPE }),
  );

/** The knee of this load, quickly: 5 s steps from 2,000/s, x1.5, on a server of its own. */
async function quickKnee(): Promise<number> {
  console.log('no --knee: a quick search first (5 s steps, x1.5; p99 <= 1 s and no failure)');
  const server = await startBenchServer(SERVE_ARGS);
  const send = createSender(PROTOCOL, server.child, { maxSockets: MAX_OUTSTANDING, timeoutMs: TIMEOUT_MS });
  const next = alternate(supplies());
  let knee = 0;
  try {
    for (let rate = 2000; rate < 1e7; rate *= 1.5) {
      const step = await offerRate({
        server,
        send,
        next,
        perRequest: PER_REQUEST,
        rate,
        seconds: 5,
        maxOutstanding: MAX_OUTSTANDING,
      });
      const good = step.tally.p(0.99) <= 1000 && step.tally.failedShare <= 0.001;
      console.log(
        `  ${fmt(rate)}/s: acked ${fmt(step.ackedPerSecond)}/s, p99 ${ms(step.tally.p(0.99))}, failed ${fmt(step.tally.failedShare * 100, 2)}%${good ? '' : ' -> stop'}`,
      );
      if (!good) break;
      knee = rate;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    send.close();
    await server.stop();
    server.remove();
  }
  if (knee === 0) throw new Error('not even 2,000 records/s passed: give --knee');
  return knee;
}

const KNEE = values.knee !== undefined ? Number(values.knee) : await quickKnee();

interface Second {
  offered: number;
  tally: Tally;
  rssMb: number;
  outstanding: number;
  /** this process's CPU over the second, in cores: near 1, the client is what limits */
  clientCores: number;
}

const server = await startBenchServer(SERVE_ARGS);
const send = createSender(PROTOCOL, server.child, { maxSockets: MAX_OUTSTANDING, timeoutMs: TIMEOUT_MS });
const seconds: Second[] = [];
const total = new Tally();
const second = (i: number): Second => {
  while (seconds.length <= i)
    seconds.push({ offered: 0, tally: new Tally(), rssMb: NaN, outstanding: 0, clientCores: NaN });
  return seconds[i] as Second;
};
let t0 = performance.now();
const at = (): number => Math.floor((performance.now() - t0) / 1000);
const loop = new OpenLoop({
  rate: () => (performance.now() - t0 < D1 * 1000 ? HIGH : LOW) * KNEE,
  perRequest: PER_REQUEST,
  next: alternate(supplies()),
  send: (signal, body) => send.send(signal, body),
  maxOutstanding: MAX_OUTSTANDING,
  onStart: () => (second(at()).offered += PER_REQUEST),
  onSkip: () => {
    second(at()).offered += PER_REQUEST;
    second(at()).tally.skipped++;
    total.skipped++;
  },
  onDone: (c) => {
    second(Math.floor((c.doneAt - t0) / 1000)).tally.add(c);
    total.add(c);
  },
});

function secondLine(i: number, s: Second): string {
  const t = s.tally;
  return [
    `${String(i).padStart(4)} s`,
    `${fmt(i < D1 ? HIGH : LOW, 1)}x`,
    `offered ${fmt(s.offered).padStart(7)}/s`,
    `acked ${fmt(t.ackedRecords).padStart(7)}/s`,
    `503+hint ${String(t.overloaded).padStart(4)}`,
    `no hint ${t.overloadedNoHint}`,
    `other ${t.errors}`,
    `skipped ${t.skipped}`,
    `p99 ${ms(t.p(0.99)).padStart(8)}`,
    `outstanding ${String(s.outstanding).padStart(4)}`,
    `RSS ${fmt(s.rssMb)} MB`,
    `client ${fmt(s.clientCores, 2)} cores`,
  ].join('  ');
}

console.log(
  `ccmon overload benchmark: ${PROTOCOL}, ${SIGNAL_LIST.join(' + ')} in turn, ${PER_REQUEST} records per request (shape ${SHAPE}); knee ${fmt(KNEE)}/s;` +
    ` ${HIGH}x = ${fmt(HIGH * KNEE)}/s for ${D1} s, then ${LOW}x = ${fmt(LOW * KNEE)}/s for ${D2} s; server pid ${server.pid}`,
);
const rss = rssSampler(server.pid);
t0 = performance.now();
let printed = 0;
let clientCpu = process.cpuUsage();
let clientAt = performance.now();
// Each second is printed once it has passed (its answers are counted by when they came).
const reporter = setInterval(() => {
  const now = at();
  while (printed < now) {
    const s = second(printed);
    s.rssMb = memoryMb(server.pid).rss;
    s.outstanding = loop.outstanding;
    const used = process.cpuUsage(clientCpu);
    s.clientCores = (used.user + used.system) / 1000 / (performance.now() - clientAt);
    clientCpu = process.cpuUsage();
    clientAt = performance.now();
    console.log(secondLine(printed, s));
    printed++;
  }
}, 250);
/** Runs both phases, stops the server cleanly and counts what its store holds. */
async function run(): Promise<{ hwmMb: number; stored: Record<Signal, number> }> {
  try {
    await loop.run((D1 + D2) * 1000);
    await loop.drain();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    clearInterval(reporter);
    const hwmMb = memoryMb(server.pid).hwm;
    rss.stop();
    send.close();
    const code = await server.stop();
    if (code !== 0) console.log(`  the server exited with ${code}`);
    return { hwmMb, stored: await countStored(server.dataDir) };
  } finally {
    clearInterval(reporter);
    rss.stop();
    server.remove();
  }
}
const { hwmMb, stored } = await run();

// ---- the verdict ----

const results: boolean[] = [];
const check = (pass: boolean, text: string): void => {
  results.push(pass);
  console.log(`${pass ? 'PASS' : 'FAIL'}  ${text}`);
};
const high = seconds.slice(0, D1);
const sum = (list: Second[], f: (s: Second) => number): number => list.reduce((n, s) => n + f(s), 0);
console.log(
  `\nsummary: ${fmt(total.requests)} requests answered: ${fmt(total.ok)} ok, ${fmt(total.overloaded)} overloaded with a retry hint, ${fmt(total.overloadedNoHint)} without, ${fmt(total.errors)} other errors; ${fmt(total.skipped)} not sent (over ${MAX_OUTSTANDING} outstanding)`,
);
console.log(
  `  during ${HIGH}x: offered ${fmt(sum(high, (s) => s.offered) / D1)}/s, acked ${fmt(sum(high, (s) => s.tally.ackedRecords) / D1)}/s; p50 ${ms(total.p(0.5))}, p99 ${ms(total.p(0.99))} over the run`,
);
if (total.skipped > 0) {
  console.log(
    `  note: the client skipped ${fmt(total.skipped)} requests at its cap of ${MAX_OUTSTANDING} outstanding, so less than ${HIGH}x was offered (raise --max-outstanding)`,
  );
}
const failures = total.describeFailures();
check(
  total.overloadedNoHint === 0 && total.errors === 0,
  `no answer other than ok or overloaded with a retry hint${failures === '' ? '' : ` (answers: ${failures})`}`,
);
const rssMax = rss.max();
check(
  hwmMb <= RSS_CAP_MB && rssMax <= RSS_CAP_MB,
  `server RSS within ${RSS_CAP_MB} MB: VmHWM ${fmt(hwmMb)} MB, largest VmRSS sampled ${fmt(rssMax)} MB`,
);
for (const signal of SIGNALS.filter((s) => SIGNAL_LIST.includes(s))) {
  const n = stored[signal];
  const acked = total.acked[signal];
  const unknown = total.unknown[signal];
  check(
    n >= acked && n <= acked + unknown,
    `every acknowledged ${unitOf(signal).slice(0, -1)} stored: ${fmt(acked)} acknowledged, ${fmt(n)} in the store` +
      (unknown > 0 ? ` (${fmt(unknown)} more sent with no known outcome)` : '') +
      (n < acked
        ? ': acknowledged records are missing'
        : n > acked + unknown
          ? ': refused records were stored'
          : ''),
  );
}
const recovered = seconds.findIndex(
  (s, i) =>
    i >= D1 &&
    i < D1 + D2 &&
    s.tally.requests > 0 &&
    s.tally.p(0.99) < RECOVER_P99_MS &&
    s.tally.failed === 0 &&
    s.tally.skipped === 0,
);
check(
  recovered >= 0,
  recovered >= 0
    ? `recovered ${recovered + 1 - D1} s after the switch to ${LOW}x (first full second with p99 < ${ms(RECOVER_P99_MS)} and no failure: ${recovered} s)`
    : `no full second with p99 < ${ms(RECOVER_P99_MS)} and no failure within ${D2} s of the switch to ${LOW}x`,
);
process.exitCode = results.every(Boolean) ? 0 : 1;
