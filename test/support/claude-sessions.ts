/**
 * Fills a ccmon with real Claude Code sessions: each session writes a file with the Write tool, runs a
 * Bash command, then answers. Shared by the cross-layer tests (store, dashboard, Prometheus, alerts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runClaude, type OtlpOptions } from './claude.js';
import { createFakeAnthropic, type FakeAnthropic, type Turn, type UsageTotals } from './fake-anthropic.js';
import { tempDir } from './server.js';

export interface SessionSpec {
  readonly name: string;
  readonly protocol: OtlpOptions['protocol'];
  readonly temporality?: 'delta' | 'cumulative';
  readonly compression?: 'gzip';
  /** lines in the file the session writes */
  readonly lines: number;
  /** the Bash command; a `sleep` keeps the session alive over several metric exports */
  readonly command?: string;
  readonly model?: string;
  /** OTEL_RESOURCE_ATTRIBUTES machine.name (default host-<name>) */
  readonly machine?: string;
  /** extra text in the written file, e.g. HTML that the UI must show as text */
  readonly fileText?: string;
  /** environment for the CLI, e.g. OTEL_LOG_TOOL_DETAILS=1 */
  readonly env?: Record<string, string>;
  readonly metricIntervalMs?: number;
}

export interface Target {
  readonly grpcTarget: string;
  readonly otlpHttpUrl: string;
  readonly token?: string;
}

export interface SessionsResult {
  readonly usage: UsageTotals;
  /** API calls answered per session name */
  readonly apiCalls: ReadonlyMap<string, number>;
  /** lines added as Claude Code counts them (lines of the written content) */
  readonly linesAdded: number;
  readonly fake: FakeAnthropic;
}

export function fileContent(session: SessionSpec): string {
  const lines = Array.from({ length: session.lines }, (_, i) => `${session.name} line ${i + 1}`);
  if (session.fileText !== undefined) lines[0] = session.fileText;
  return lines.join('\n');
}

function usage(seed: number): Turn['usage'] {
  return {
    input_tokens: 1000 + seed * 7,
    output_tokens: 30 + seed,
    cache_read_input_tokens: 3000 + seed * 11,
    cache_creation_input_tokens: 500 + seed * 3,
  };
}

function turns(session: SessionSpec, index: number, cwd: string): Turn[] {
  return [
    {
      text: 'Writing the file.',
      toolUse: {
        name: 'Write',
        input: { file_path: join(cwd, `${session.name}.txt`), content: fileContent(session) },
      },
      usage: usage(index * 3 + 1),
    },
    {
      toolUse: {
        name: 'Bash',
        input: { command: session.command ?? 'echo hi', description: 'Run a command' },
      },
      usage: usage(index * 3 + 2),
    },
    { text: 'All done.', usage: usage(index * 3 + 3) },
  ];
}

/** Runs the sessions one after another (or `parallel` of them at a time) and says what they did. */
export async function runSessions(
  target: Target,
  sessions: readonly SessionSpec[],
  options: { parallel?: number } = {},
): Promise<SessionsResult> {
  const cwd = tempDir('ccmon-sessions-');
  const scripts = new Map<string, Turn[]>();
  const apiCalls = new Map<string, number>();
  // Each session's prompt names it, so parallel sessions take turns from their own script.
  const fake = createFakeAnthropic((req) => {
    const text = JSON.stringify(req.body ?? '');
    const name = [...scripts.keys()].find((n) => text.includes(`[session ${n}]`));
    if (name === undefined) return { text: 'Done.', usage: usage(99) };
    apiCalls.set(name, (apiCalls.get(name) ?? 0) + 1);
    return scripts.get(name)?.shift() ?? { text: 'Done.', usage: usage(98) };
  });
  const { url } = await fake.start();
  const runOne = async (session: SessionSpec, index: number): Promise<void> => {
    scripts.set(session.name, turns(session, index, cwd));
    const result = await runClaude({
      prompt: `[session ${session.name}] Create ${session.name}.txt with ${session.lines} lines, then run a command.`,
      anthropicUrl: url,
      cwd,
      ...(session.model !== undefined ? { model: session.model } : {}),
      otlp: {
        protocol: session.protocol,
        endpoint: session.protocol === 'grpc' ? `http://${target.grpcTarget}` : target.otlpHttpUrl,
        temporality: session.temporality ?? 'delta',
        ...(session.compression ? { compression: session.compression } : {}),
        ...(target.token !== undefined ? { headers: { Authorization: `Bearer ${target.token}` } } : {}),
        metricIntervalMs: session.metricIntervalMs ?? 1000,
        logsIntervalMs: 500,
        resourceAttributes: { 'machine.name': session.machine ?? `host-${session.name}` },
      },
      ...(session.env !== undefined ? { extraEnv: session.env } : {}),
    });
    if (result.code !== 0)
      throw new Error(
        `Claude Code session ${session.name} failed (${String(result.code)}): ${result.stderr}`,
      );
    if (readFileSync(join(cwd, `${session.name}.txt`), 'utf8') !== fileContent(session)) {
      throw new Error(`session ${session.name} did not write its file`);
    }
  };
  const width = Math.max(1, options.parallel ?? 1);
  for (let i = 0; i < sessions.length; i += width) {
    await Promise.all(sessions.slice(i, i + width).map((s, j) => runOne(s, i + j)));
  }
  await fake.close();
  const linesAdded = sessions.reduce((n, s) => n + fileContent(s).split('\n').length, 0);
  return { usage: fake.usageTotals(), apiCalls, linesAdded, fake };
}
