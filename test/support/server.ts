/** Starting ccmon for tests: in this process (fast) or as a real child process (for signals and kill -9). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertsConfig } from '../../src/alerts/config.js';
import { resolveServeConfig, type RawSettings } from '../../src/config/serve-config.js';
import { connectable, startServer, type RunningServer } from '../../src/main.js';

export function tempDir(prefix = 'ccmon-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestServer extends RunningServer {
  readonly dataDir: string;
  /** host:port of the OTLP/gRPC listener */
  readonly grpcTarget: string;
  /** http://host:port bases */
  readonly otlpHttpUrl: string;
  readonly apiUrl: string;
  readonly healthUrl: string;
}

const IN_PROCESS = {
  otlpGrpc: '127.0.0.1:0',
  otlpHttp: '127.0.0.1:0',
  http: '127.0.0.1:0',
  health: '127.0.0.1:0',
  // Off here whatever the default: the test's own work runs on the same event loop and would count as
  // the server being busy. test/receivers.test.ts tests the limit on a child server.
  maxBusy: '1',
};

/** `alerts`: the config file's alerts: section as parsed (default: the defaults). */
export async function startTestServer(
  settings: RawSettings = {},
  alerts?: AlertsConfig,
): Promise<TestServer> {
  const dataDir = typeof settings.dataDir === 'string' ? settings.dataDir : tempDir();
  const config = resolveServeConfig({ ...IN_PROCESS, dataDir, ...settings }, {});
  const server = await startServer(alerts === undefined ? config : { ...config, alerts });
  const l = server.listening;
  return {
    ...server,
    dataDir,
    grpcTarget: connectable(l.otlpGrpc),
    otlpHttpUrl: `http://${connectable(l.otlpHttp)}`,
    apiUrl: `http://${connectable(l.http)}`,
    healthUrl: `http://${connectable(l.health)}`,
  };
}

export interface ChildServer {
  readonly process: ChildProcess;
  readonly grpcTarget: string;
  readonly otlpHttpUrl: string;
  readonly apiUrl: string;
  readonly healthUrl: string;
  readonly output: () => string;
  /** resolves with the exit code (or signal name) */
  readonly exited: Promise<number | string>;
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ccmon.js');

/** Runs the built `ccmon serve` as a child process and waits until it prints where it listens. */
export function spawnServer(
  dataDir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ChildServer> {
  // Run as a user runs it, through its #! line, which sets Node's heap flags.
  const child = spawn(
    BIN,
    [
      'serve',
      '--data-dir',
      dataDir,
      '--otlp-grpc',
      '127.0.0.1:0',
      '--otlp-http',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--health',
      '127.0.0.1:0',
      ...extraArgs,
    ],
    { env: { PATH: process.env.PATH, HOME: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ccmon did not start within 20 s:\n${text}`));
    }, 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ccmon exited (${code}) before serving:\n${text}`));
    });
    const check = (): void => {
      const grpc = /OTLP gRPC\s+(\S+)/.exec(text)?.[1];
      const http = /OTLP HTTP\s+(\S+)/.exec(text)?.[1];
      const api = /dashboard\s+(\S+?)\/?\s/.exec(text)?.[1];
      const health = /health\s+(\S+?)\/?\s/.exec(text)?.[1];
      if (grpc === undefined || http === undefined || api === undefined || health === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve({
        process: child,
        grpcTarget: grpc,
        otlpHttpUrl: http,
        apiUrl: api,
        healthUrl: health,
        output: () => text,
        exited,
      });
    };
    child.stdout.on('data', check);
  });
}
