// Runs the real Claude Code CLI (the native binary from the `@anthropic-ai/claude-code` devDependency) in
// print mode against a fake Anthropic API, with OpenTelemetry export pointed wherever the test wants.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';

export interface OtlpOptions {
  protocol: OtlpProtocol;
  /** Base URL such as `http://127.0.0.1:4318`; HTTP exporters append `/v1/metrics` and `/v1/logs`. */
  endpoint: string;
  temporality?: 'delta' | 'cumulative';
  compression?: 'gzip' | 'none';
  headers?: Record<string, string>;
  metricIntervalMs?: number;
  logsIntervalMs?: number;
  resourceAttributes?: Record<string, string>;
}

export interface RunClaudeOptions {
  prompt: string;
  /** Base URL of the fake Anthropic API. */
  anthropicUrl: string;
  /** Working directory of the session; the tools write their files here. */
  cwd: string;
  /** HOME for the CLI. When omitted a temporary one is created and removed after the run. */
  home?: string;
  model?: string;
  allowedTools?: string[];
  /** Telemetry is enabled only when this is given. */
  otlp?: OtlpOptions;
  /** Applied last; `undefined` removes a variable. */
  extraEnv?: Record<string, string | undefined>;
  /** Extra command line arguments, appended before `--allowedTools`. */
  extraArgs?: string[];
  timeoutMs?: number;
}

export interface ClaudeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

const require = createRequire(import.meta.url);

const PLATFORM_PACKAGES: Partial<Record<NodeJS.Architecture, string>> = {
  x64: '@anthropic-ai/claude-code-linux-x64',
  arm64: '@anthropic-ai/claude-code-linux-arm64',
};

function platformPackageDir(): string {
  const name = process.platform === 'linux' ? PLATFORM_PACKAGES[process.arch] : undefined;
  if (name === undefined) {
    throw new Error(
      `the Claude Code CLI tests support linux-x64 and linux-arm64, not ${process.platform}-${process.arch}`,
    );
  }
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new Error(`${name} is not installed; run \`npm install\` to get the Claude Code CLI binary`);
  }
}

/** Absolute path of the native `claude` binary. */
export function claudeBinary(): string {
  const bin = join(platformPackageDir(), 'claude');
  if (!existsSync(bin))
    throw new Error(`${bin} is missing; run \`npm install\` to get the Claude Code CLI binary`);
  return bin;
}

/** Version of the installed CLI, e.g. `2.1.197`. */
export function claudeVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(platformPackageDir(), 'package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'version') : undefined;
  if (typeof version !== 'string') throw new Error('the Claude Code platform package has no version');
  return version;
}

// Parent variables that would redirect or reconfigure the CLI (a developer's real API key or collector,
// a surrounding Claude Code session, telemetry opt-outs, proxies that cannot reach 127.0.0.1).
const BLOCKED_ENV = /^(OTEL_|ANTHROPIC_|CLAUDE|DISABLE_|(HTTPS?|ALL|NO)_PROXY$)/i;

function kvList(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function buildEnv(options: RunClaudeOptions, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !BLOCKED_ENV.test(key)) env[key] = value;
  }
  Object.assign(env, {
    HOME: home,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: options.anthropicUrl,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  });
  const otlp = options.otlp;
  if (otlp) {
    Object.assign(env, {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: otlp.protocol,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      // Budget for the final flush at exit, generous so a slow receiver still gets the last export.
      CLAUDE_CODE_OTEL_SHUTDOWN_TIMEOUT_MS: '10000',
    });
    if (otlp.temporality) env['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE'] = otlp.temporality;
    if (otlp.compression) env['OTEL_EXPORTER_OTLP_COMPRESSION'] = otlp.compression;
    if (otlp.headers) env['OTEL_EXPORTER_OTLP_HEADERS'] = kvList(otlp.headers);
    if (otlp.metricIntervalMs !== undefined)
      env['OTEL_METRIC_EXPORT_INTERVAL'] = String(otlp.metricIntervalMs);
    if (otlp.logsIntervalMs !== undefined) env['OTEL_LOGS_EXPORT_INTERVAL'] = String(otlp.logsIntervalMs);
    if (otlp.resourceAttributes) env['OTEL_RESOURCE_ATTRIBUTES'] = kvList(otlp.resourceAttributes);
  }
  for (const [key, value] of Object.entries(options.extraEnv ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs `claude -p PROMPT` once and resolves when it exits; rejects if it outlives `timeoutMs`. */
export function runClaude(options: RunClaudeOptions): Promise<ClaudeResult> {
  const bin = claudeBinary();
  const ownHome = options.home === undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'ccmon-claude-home-'));
  const timeoutMs = options.timeoutMs ?? 120_000;
  // Tools are allowed by name; that is enough for them to run without prompts, also as root, so
  // --dangerously-skip-permissions (which the CLI refuses as root) is not used.
  const args = [
    '-p',
    options.prompt,
    '--model',
    options.model ?? 'claude-sonnet-4-5',
    ...(options.extraArgs ?? []),
    // Last, because the option is variadic and would swallow a following positional argument.
    '--allowedTools',
    (options.allowedTools ?? ['Write', 'Bash']).join(','),
  ];
  const started = Date.now();
  return new Promise<ClaudeResult>((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: options.cwd,
      env: buildEnv(options, home),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a timeout also kills the shells the Bash tool started.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let settled = false;
    const cleanup = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      if (ownHome) rmSync(home, { recursive: true, force: true });
      return true;
    };
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      if (cleanup())
        reject(
          new Error(`claude did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`),
        );
    }, timeoutMs);
    child.on('error', (err) => {
      if (cleanup()) reject(err);
    });
    child.on('close', (code, signal) => {
      if (cleanup()) resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}
