/**
 * A real Prometheus and Alertmanager (the Debian packages) as child processes on loopback ports, for the
 * tests that check ccmon against them. A missing binary is an error, not a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from './server.js';

export const PROMETHEUS = '/usr/bin/prometheus';
export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

export interface Running {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${output()}`);
}

async function run(
  bin: string,
  args: (port: number, dir: string) => string[],
  dir: string,
): Promise<Running> {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: install it (.ci/run installs the Debian packages)`);
  const port = await freePort();
  const child = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const output = (): string => text;
  await waitReady(url, child, output);
  return {
    url,
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function startAlertmanager(): Promise<Running> {
  const dir = tempDir('ccmon-am-');
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    stringify({ route: { receiver: 'none' }, receivers: [{ name: 'none' }] }),
  );
  return run(
    ALERTMANAGER,
    (port) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    dir,
  );
}

export interface PrometheusOptions {
  /** host:port targets scraped as job otel-collector, path /metrics, every second */
  readonly targets: readonly string[];
  /** rule groups (a rule file's `groups:`) */
  readonly ruleGroups?: readonly unknown[];
  /** host:port of an Alertmanager */
  readonly alertmanager?: string;
}

export function startPrometheus(options: PrometheusOptions): Promise<Running> {
  const dir = tempDir('ccmon-prom-');
  const config: Record<string, unknown> = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      {
        job_name: 'otel-collector',
        metrics_path: '/metrics',
        static_configs: [{ targets: options.targets }],
      },
    ],
  };
  if (options.ruleGroups !== undefined) {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: options.ruleGroups }, { lineWidth: 0 }));
    config.rule_files = [join(dir, 'rules.yaml')];
  }
  if (options.alertmanager !== undefined)
    config.alerting = { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  return run(
    PROMETHEUS,
    (port) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    dir,
  );
}

/** Polls until `probe` returns true or the time is up. */
export async function eventually(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}
