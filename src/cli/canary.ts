import { randomUUID } from 'node:crypto';
import { readBackRun, sendCanaryRun } from '../canary/client.js';
import { canaryFailed, countCanary, type CanaryReport } from '../canary/count.js';
import { parse, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `Usage: ccmon canary --endpoint http://HOST:PORT [options]

Sends numbered \`ccmon_canary\` events over OTLP/HTTP, retrying on 503 and network errors (honouring
Retry-After, with exponential backoff), and records which ones the server acknowledged. With --server,
reads back what was stored through ccmon's API and reports acknowledged events that are missing, events
stored twice, and events stored out of send order. Exits 1 when an acknowledged event is missing or
stored twice.

Options:
  --endpoint URL     the OTLP/HTTP receiver (required), e.g. http://127.0.0.1:4318
  --count N          how many events (default 100)
  --rate R           events per second (default 10)
  --token T          bearer token for the receiver and the API
  --server URL       ccmon's API (the dashboard address) to read the stored events back from
  --run-id ID        the run's id, stored as the events' session.id (default: a new UUID)
  --json             print the report as JSON
  -h, --help         show this help`;

const options = {
  endpoint: { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  token: { type: 'string' },
  server: { type: 'string' },
  'run-id': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function positive(name: string, raw: string | undefined, fallback: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, not "${raw}"`);
  }
  return n;
}

function url(name: string, raw: string): string {
  try {
    return new URL(raw).toString();
  } catch {
    throw new UsageError(`--${name} must be a URL such as http://127.0.0.1:4318, not "${raw}"`);
  }
}

export const canaryCommand: Command = {
  summary: 'send numbered events and check that every acknowledged one is stored once',
  async run(args) {
    const { values } = parse(args, options, 'canary');
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    if (values.endpoint === undefined)
      throw new UsageError('--endpoint is required\nRun `ccmon canary --help`.');
    const endpoint = url('endpoint', values.endpoint);
    const server = values.server === undefined ? undefined : url('server', values.server);
    const count = positive('count', values.count, 100, true);
    const rate = positive('rate', values.rate, 10, false);
    const runId = values['run-id'] ?? randomUUID();
    const token = values.token;
    const sent = await sendCanaryRun({ endpoint: () => endpoint, token, runId, count, rate });
    const acknowledged = sent.filter((e) => e.acknowledged).length;
    if (server === undefined) {
      const summary = { runId, sent: sent.length, acknowledged };
      console.log(
        values.json === true
          ? JSON.stringify(summary)
          : `run ${runId}: ${acknowledged}/${sent.length} acknowledged`,
      );
      return 0;
    }
    const report = countCanary(sent, await readBackRun(server, runId, token));
    console.log(values.json === true ? JSON.stringify({ runId, ...report }) : render(runId, report));
    return canaryFailed(report) ? 1 : 0;
  },
};

function render(runId: string, r: CanaryReport): string {
  const list = (seqs: readonly number[]): string =>
    seqs.length === 0 ? '' : ` (${seqs.slice(0, 20).join(', ')}${seqs.length > 20 ? ', …' : ''})`;
  return [
    `run ${runId}`,
    `  sent          ${r.sent}`,
    `  acknowledged  ${r.acknowledged}`,
    `  stored rows   ${r.stored}`,
    `  missing       ${r.missing.length}${list(r.missing)}`,
    `  duplicated    ${r.duplicated.length}${list(r.duplicated)}`,
    `  out of order  ${r.outOfOrder}`,
    `  stored without acknowledgement ${r.unacknowledgedStored}`,
    canaryFailed(r) ? 'FAIL: an acknowledged event is missing or stored twice' : 'OK',
  ].join('\n');
}
