/**
 * The knee: the highest offered rate ccmon keeps up with. For each protocol and signal, a fresh
 * `ccmon serve` child gets an open-loop load (requests started at the offered rate whether or not
 * earlier ones were answered, as a fleet of clients does) that rises in steps until the p99 latency
 * passes 1 s or more than 0.1% of requests fail (refused, errors, or not sent because too many were
 * outstanding). The knee is the last step that passed. Prints each step as it ends, then a table:
 * the knee in points/s or events/s, the server's CPU over that step in cores (utime + stime from
 * /proc/PID/stat) and records/s per core, p50/p99, and the server's peak RSS (VmHWM, and the largest
 * VmRSS sampled during the step).
 *
 *   npx tsx bench/knee.ts [--protocols grpc,grpc-gzip,http-proto,http-proto-gzip,http-json,http-json-gzip]
 *     [--signals metrics,logs] [--start 2000] [--factor 1.25] [--step-seconds 20] [--max-steps 40]
 *     [--p99-limit-ms 1000] [--error-limit 0.001] [--per-request 100] [--shape export|spread]
 *     [--max-outstanding 1000] [--timeout-ms 10000] [--pause-seconds 3] [--serve-args "--store-memory 96MiB"]
 *
 * Rates are records per second (100 per request by default). --shape export (the default) puts all of
 * a metrics request's points at one moment, as one Claude Code export does. A short smoke run:
 *   npx tsx bench/knee.ts --protocols grpc --signals metrics --step-seconds 4 --factor 1.5
 */
import { parseArgs } from 'node:util';
import {
  createSender,
  fmt,
  ms,
  offerRate,
  parseProtocols,
  openLoopOptions,
  openLoopSettings,
  parseSignals,
  startBenchServer,
  UniquePayloads,
  unitOf,
  type Protocol,
  type Signal,
  type StepResult,
} from './load.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const { values } = parseArgs({
  options: {
    protocols: {
      type: 'string',
      default: 'grpc,grpc-gzip,http-proto,http-proto-gzip,http-json,http-json-gzip',
    },
    signals: { type: 'string', default: 'metrics,logs' },
    start: { type: 'string', default: '2000' },
    factor: { type: 'string', default: '1.25' },
    'step-seconds': { type: 'string', default: '20' },
    'max-steps': { type: 'string', default: '40' },
    'p99-limit-ms': { type: 'string', default: '1000' },
    'error-limit': { type: 'string', default: '0.001' },
    'pause-seconds': { type: 'string', default: '3' },
    ...openLoopOptions(1000),
  },
});
const {
  perRequest: PER_REQUEST,
  shape: SHAPE,
  maxOutstanding: MAX_OUTSTANDING,
  timeoutMs: TIMEOUT_MS,
  serveArgs: SERVE_ARGS,
} = openLoopSettings(values);
const START = Number(values.start);
const FACTOR = Number(values.factor);
const STEP_SECONDS = Number(values['step-seconds']);
const MAX_STEPS = Number(values['max-steps']);
const P99_LIMIT_MS = Number(values['p99-limit-ms']);
const ERROR_LIMIT = Number(values['error-limit']);
const PAUSE_SECONDS = Number(values['pause-seconds']);

interface Knee {
  protocol: Protocol;
  signal: Signal;
  knee: StepResult | undefined;
  /** why the search stopped: the first failing step, or the step limit */
  stoppedBy: string;
}

function why(step: StepResult): string | undefined {
  const reasons: string[] = [];
  if (step.tally.p(0.99) > P99_LIMIT_MS) reasons.push(`p99 ${ms(step.tally.p(0.99))}`);
  if (step.tally.failedShare > ERROR_LIMIT) reasons.push(`${fmt(step.tally.failedShare * 100, 2)}% failed`);
  return reasons.length === 0 ? undefined : reasons.join(', ');
}

function stepLine(n: number, step: StepResult, unit: string): string {
  const t = step.tally;
  return [
    `  step ${String(n).padStart(2)}:`,
    `offered ${fmt(step.rate).padStart(7)} ${unit}/s`,
    `acked ${fmt(step.ackedPerSecond).padStart(7)}/s`,
    `p50 ${ms(t.p(0.5)).padStart(8)}`,
    `p99 ${ms(t.p(0.99)).padStart(8)}`,
    `failed ${fmt(t.failedShare * 100, 2).padStart(5)}%`,
    `server ${fmt(step.serverCores, 2)} cores (${fmt(step.ackedPerSecond / step.serverCores)}/s per core)`,
    `RSS max ${fmt(step.rssMaxMb)} MB, VmHWM ${fmt(step.hwmMb)} MB`,
    `client ${fmt(step.clientCores, 2)} cores`,
  ].join('  ');
}

async function findKnee(protocol: Protocol, signal: Signal): Promise<Knee> {
  const server = await startBenchServer(SERVE_ARGS);
  const send = createSender(protocol, server.child, { maxSockets: MAX_OUTSTANDING, timeoutMs: TIMEOUT_MS });
  const payloads = new UniquePayloads(protocol, signal, { perRequest: PER_REQUEST, shape: SHAPE });
  const next = (): { signal: Signal; body: Uint8Array } => ({ signal, body: payloads.next() });
  console.log(`${protocol} ${signal} (server pid ${server.pid}):`);
  let knee: StepResult | undefined;
  let stoppedBy = `the step limit (${MAX_STEPS})`;
  try {
    for (let n = 0; n < MAX_STEPS; n++) {
      const rate = START * FACTOR ** n;
      const step = await offerRate({
        server,
        send,
        next,
        perRequest: PER_REQUEST,
        rate,
        seconds: STEP_SECONDS,
        maxOutstanding: MAX_OUTSTANDING,
      });
      console.log(stepLine(n + 1, step, unitOf(signal)));
      const failure = why(step);
      if (failure !== undefined) {
        stoppedBy = `${fmt(rate)}/s: ${failure}`;
        const failures = step.tally.describeFailures();
        if (failures !== '') console.log(`           answers other than ok: ${failures}`);
        break;
      }
      knee = step;
      // Let the server finish what it queued before the next, higher step.
      await new Promise((resolve) => setTimeout(resolve, PAUSE_SECONDS * 1000));
    }
  } finally {
    send.close();
    await server.stop();
    server.remove();
  }
  const k = knee;
  console.log(
    k === undefined
      ? `  knee: below ${fmt(START)} ${unitOf(signal)}/s (stopped by ${stoppedBy})`
      : `  knee: ${fmt(k.rate)} ${unitOf(signal)}/s offered, ${fmt(k.ackedPerSecond)}/s acked (stopped by ${stoppedBy})`,
  );
  return { protocol, signal, knee, stoppedBy };
}

console.log(
  `ccmon knee benchmark: open loop, ${PER_REQUEST} records per request (shape ${SHAPE}), from ${fmt(START)}/s x${FACTOR} per ${STEP_SECONDS} s step,` +
    ` until p99 > ${ms(P99_LIMIT_MS)} or more than ${fmt(ERROR_LIMIT * 100, 2)}% fail; at most ${MAX_OUTSTANDING} outstanding, client timeout ${ms(TIMEOUT_MS)}`,
);
const results: Knee[] = [];
for (const protocol of parseProtocols(values.protocols)) {
  for (const signal of parseSignals(values.signals)) results.push(await findKnee(protocol, signal));
}

console.log('\nsummary (the knee is the last step that passed):');
console.log(
  '| protocol | signal | knee (offered) | acked | server CPU | per core | p50 | p99 | VmHWM | VmRSS max | stopped by |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const { protocol, signal, knee: k, stoppedBy } of results) {
  const unit = `${unitOf(signal)}/s`;
  console.log(
    k === undefined
      ? `| ${protocol} | ${signal} | < ${fmt(START)} ${unit} | | | | | | | | ${stoppedBy} |`
      : `| ${protocol} | ${signal} | ${fmt(k.rate)} ${unit} | ${fmt(k.ackedPerSecond)} | ${fmt(k.serverCores, 2)} cores | ${fmt(k.ackedPerSecond / k.serverCores)}/s | ${ms(k.tally.p(0.5))} | ${ms(k.tally.p(0.99))} | ${fmt(k.hwmMb)} MB | ${fmt(k.rssMaxMb)} MB | ${stoppedBy} |`,
  );
}
