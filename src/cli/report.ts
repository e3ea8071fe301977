import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveServeConfig } from '../config/serve-config.js';
import { SERVER_FILE } from '../main.js';
import { grouped, sessions, summary, type ReportRow, type Summary } from '../report/queries.js';
import { resolveRange, type ReportRange } from '../report/range.js';
import { renderRows, renderSummary } from '../report/render.js';
import { Database } from '../store/database.js';
import { parse, UsageError } from './args.js';
import type { Command } from './main.js';

const KINDS = ['summary', 'daily', 'models', 'sessions', 'machines', 'users'] as const;
type Kind = (typeof KINDS)[number];

const KEY_TITLES: Record<Exclude<Kind, 'summary' | 'sessions'>, string> = {
  daily: 'day',
  models: 'model',
  machines: 'machine',
  users: 'user',
};

const HELP = `Usage: ccmon report [summary|daily|models|sessions|machines|users] [options]

Prints what ccmon stored: a summary (default) or a table by day, model, session, machine or user.

Options:
  --from TIME        start of the range: ISO (2026-01-31, 2026-01-31T08:00:00Z) or relative (30m, 12h, 7d, 2w); default 7d
  --to TIME          end of the range (default now)
  --tz ZONE          time zone for days, e.g. Europe/Berlin (default: this machine's)
  --json             print JSON instead of a table
  --server URL       ask a running ccmon (e.g. http://127.0.0.1:4380); env CCMON_SERVER
  --token TOKEN      bearer token of that server; env CCMON_TOKEN
  --data-dir DIR     read this store; a server running on it is found and asked instead; env CCMON_DATA_DIR
  -h, --help         show this help`;

const options = {
  from: { type: 'string' },
  to: { type: 'string' },
  tz: { type: 'string' },
  json: { type: 'boolean' },
  server: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

type Result = Summary | ReportRow[];

export const reportCommand: Command = {
  summary: 'print a report of the stored telemetry (summary, daily, models, sessions, machines, users)',
  async run(args) {
    const { values, positionals } = parse(args, options, 'report');
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    const kind = (positionals[0] ?? 'summary') as Kind;
    if (!KINDS.includes(kind) || positionals.length > 1) {
      throw new UsageError(`unknown report "${positionals.join(' ')}": choose one of ${KINDS.join(', ')}`);
    }
    const range = resolveRange(values.from, values.to, values.tz);
    const token = values.token ?? process.env.CCMON_TOKEN;
    const server = values.server ?? process.env.CCMON_SERVER ?? runningServer(values['data-dir']);
    const result =
      server !== undefined
        ? await fromServer(server, kind, range, token)
        : await fromStore(values['data-dir'], kind, range);
    if (values.json === true) console.log(JSON.stringify(result, null, 2));
    else if (kind === 'summary') console.log(renderSummary(result as Summary));
    else console.log(renderRows(result as ReportRow[], kind === 'sessions' ? 'session' : KEY_TITLES[kind]));
    return 0;
  },
};

function dataDirOf(flag: string | undefined): string {
  return flag ?? resolveServeConfig({}, process.env).dataDir;
}

/** The URL of a ccmon serving this data dir, if one is running. */
function runningServer(dataDirFlag: string | undefined): string | undefined {
  const file = join(dataDirOf(dataDirFlag), SERVER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { pid, url } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; url: string };
    process.kill(pid, 0);
    return url;
  } catch {
    // Left behind by a server that was killed: read the store directly.
    return undefined;
  }
}

async function fromServer(
  base: string,
  kind: Kind,
  range: ReportRange,
  token: string | undefined,
): Promise<Result> {
  const url = new URL(`/api/v1/report/${kind}`, base);
  url.searchParams.set('from', new Date(range.fromMs).toISOString());
  url.searchParams.set('to', new Date(range.toMs).toISOString());
  url.searchParams.set('tz', range.tz);
  let response: Response;
  try {
    response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new Error(
      `cannot reach ccmon at ${base}: ${error instanceof Error ? error.message : String(error)}; is \`ccmon serve\` running?`,
      {
        cause: error,
      },
    );
  }
  const body = (await response.json().catch(() => ({}))) as Result & { error?: string };
  if (response.status === 401) throw new Error(`${base} needs a token: pass --token or set CCMON_TOKEN`);
  if (!response.ok)
    throw new Error(`${base} answered ${response.status}: ${'error' in body ? String(body.error) : ''}`);
  return body;
}

async function fromStore(dataDirFlag: string | undefined, kind: Kind, range: ReportRange): Promise<Result> {
  const dataDir = dataDirOf(dataDirFlag);
  const db = await Database.open(dataDir, { readOnly: true });
  try {
    return await db.withRead<Result>((r) => {
      if (kind === 'summary') return summary(r, range);
      if (kind === 'sessions') return sessions(r, range);
      return grouped(r, kind, range);
    });
  } finally {
    await db.close();
  }
}
