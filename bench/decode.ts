/**
 * Decoder throughput: a 100-point metrics export and a 100-record events export, as Claude Code sends
 * them, decoded over and over as OTLP/protobuf and as OTLP/JSON (JSON timed from the UTF-8 body, as the
 * receiver gets it). Run: npx tsx bench/decode.ts [seconds per case, default 1]
 */
import { decodeLogsRequestJson, decodeMetricsRequestJson } from '../src/otlp/decode-json.js';
import { decodeLogsRequestProto, decodeMetricsRequestProto } from '../src/otlp/decode-proto.js';
import {
  claudeLogsRequest,
  claudeMetricsRequest,
  encodeLogsProto,
  encodeMetricsProto,
} from '../test/support/otlp-encode.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const RECORDS = 100;
const seconds = Number(process.argv[2] ?? 1) || 1;

const metrics = claudeMetricsRequest({ count: RECORDS, seed: 1 });
const logs = claudeLogsRequest({ count: RECORDS, seed: 1 });
const bodies = {
  metricsProto: Buffer.from(encodeMetricsProto(metrics)),
  metricsJson: Buffer.from(JSON.stringify(metrics)),
  logsProto: Buffer.from(encodeLogsProto(logs)),
  logsJson: Buffer.from(JSON.stringify(logs)),
};

const cases: [name: string, body: Buffer, decode: (body: Buffer) => unknown][] = [
  ['metrics proto', bodies.metricsProto, decodeMetricsRequestProto],
  ['metrics json', bodies.metricsJson, (b) => decodeMetricsRequestJson(b.toString('utf8'))],
  ['logs proto', bodies.logsProto, decodeLogsRequestProto],
  ['logs json', bodies.logsJson, (b) => decodeLogsRequestJson(b.toString('utf8'))],
  // the floor under the JSON decoders: what JSON.parse alone takes, before any field is read
  ['logs JSON.parse', bodies.logsJson, (b) => JSON.parse(b.toString('utf8'))],
];

function run(decode: () => unknown, ms: number): { requests: number; elapsedMs: number } {
  let requests = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) decode();
    requests += 50;
    now = performance.now();
  }
  return { requests, elapsedMs: now - start };
}

console.log(`node ${process.version}, ${RECORDS} points/records per request, ${seconds}s per case`);
for (const [name, body, decode] of cases) {
  run(() => decode(body), 300); // warm-up
  const { requests, elapsedMs } = run(() => decode(body), seconds * 1000);
  const perSecond = (requests * 1000) / elapsedMs;
  console.log(
    `${name.padEnd(15)} ${String(body.length).padStart(7)} B  ${Math.round(perSecond).toLocaleString('en-US').padStart(8)} requests/s  ${Math.round(
      perSecond * RECORDS,
    )
      .toLocaleString('en-US')
      .padStart(11)} records/s  ${((body.length * perSecond) / 1e6).toFixed(0).padStart(4)} MB/s`,
  );
}
