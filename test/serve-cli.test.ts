/**
 * `ccmon serve` and `ccmon report` as a user runs them: real child processes, signals, kill -9,
 * a second server on the same data dir, reports from the store and from a running server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeMetricsProto } from './support/otlp-encode.js';
import { deltaSumRequest } from './support/cost-request.js';
import { spawnServer, tempDir } from './support/server.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'ccmon.js');

function ccmon(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tempDir(), ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function commitsExport(sessionId: string, commits: number): Uint8Array {
  const end = BigInt(Date.now() - 1000) * 1_000_000n;
  return encodeMetricsProto(
    deltaSumRequest({ name: 'claude_code.commit.count' }, sessionId, { asInt: String(commits) }, end),
  );
}

async function send(otlpHttpUrl: string, body: Uint8Array, token?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/x-protobuf' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return (await fetch(`${otlpHttpUrl}/v1/metrics`, { method: 'POST', headers, body })).status;
}

describe('ccmon serve and report', () => {
  it('prints --help for every command', () => {
    for (const args of [['--help'], ['serve', '--help'], ['report', '--help']]) {
      const { code, stdout } = ccmon(args);
      assert.equal(code, 0, args.join(' '));
      assert.match(stdout, /Usage: ccmon/);
    }
    const bad = ccmon(['serve', '--otlp-grpc', 'nonsense']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--otlp-grpc.*HOST:PORT/);
  });

  it('keeps what it acknowledged through kill -9, and reports it from the store', async () => {
    const dataDir = tempDir();
    const body = commitsExport('killed', 4);
    const first = await spawnServer(dataDir);
    assert.equal(await send(first.otlpHttpUrl, body), 200);
    first.process.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');

    // The server is gone (its server.json left behind): report reads the store itself.
    const report = ccmon(['report', 'summary', '--json', '--data-dir', dataDir, '--from', '1h']);
    assert.equal(report.code, 0, report.stderr);
    assert.equal((JSON.parse(report.stdout) as { commits: number }).commits, 4);

    const second = await spawnServer(dataDir);
    try {
      assert.equal(await send(second.otlpHttpUrl, body), 200); // the same export, re-sent after the crash
      const viaServer = ccmon(['report', 'summary', '--json', '--data-dir', dataDir, '--from', '1h']);
      assert.equal((JSON.parse(viaServer.stdout) as { commits: number }).commits, 4);
    } finally {
      second.process.kill('SIGTERM');
    }
    assert.equal(await second.exited, 0);
    assert.match(second.output(), /stopped/);
  });

  it('runs with the heap limit and malloc arenas (glibc and DuckDB) of its #! line and reports its memory on /metrics', async () => {
    const server = await spawnServer(tempDir());
    try {
      // env(1) set it for node, which it then became (same pid): glibc read it at start.
      const environ = readFileSync(`/proc/${server.process.pid}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes('MALLOC_ARENA_MAX=1'), "MALLOC_ARENA_MAX=1 in the server's environment");
      // DuckDB's own jemalloc reads its options under this name when it first allocates.
      assert.ok(
        environ.includes('DUCKDB_JE_MALLOC_CONF=narenas:1'),
        "DUCKDB_JE_MALLOC_CONF=narenas:1 in the server's environment",
      );
      const text = await (await fetch(`${server.apiUrl}/metrics`)).text();
      const value = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      // 512 MB of old generation plus the young one (8 MB semi-spaces). Node's own default is about a quarter of the
      // machine's memory (over 600 MB on any machine with more than 2.5 GB), 4.3 GB on the 24 GB one here.
      const limit = value('nodejs_heap_size_limit_bytes');
      assert.ok(limit > 500e6 && limit < 600e6, `heap limit ${limit}`);
      assert.ok(value('process_resident_memory_bytes') > value('nodejs_heap_size_used_bytes'));
      assert.equal(value('ccmon_store_memory_limit_bytes'), 96 * 1024 * 1024);
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });

  it('refuses a data dir that another ccmon holds, with a message that says what to do', async () => {
    const dataDir = tempDir();
    const holder = await spawnServer(dataDir);
    try {
      await assert.rejects(spawnServer(dataDir), /in use by another ccmon.*--data-dir/s);
    } finally {
      holder.process.kill('SIGINT');
      assert.equal(await holder.exited, 0);
    }
  });

  it('answers report with a token only when given the token, as one JSON object with the documented keys', async () => {
    const token = 'report-token-1';
    const server = await spawnServer(tempDir(), ['--token', token]);
    try {
      assert.equal(await send(server.otlpHttpUrl, commitsExport('tok', 2)), 401);
      assert.equal(await send(server.otlpHttpUrl, commitsExport('tok', 2), token), 200);
      const denied = ccmon(['report', '--json', '--server', server.apiUrl]);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /token/);
      const { code, stdout } = ccmon(['report', 'summary', '--json', '--server', server.apiUrl], {
        CCMON_TOKEN: token,
      });
      assert.equal(code, 0);
      const summary = JSON.parse(stdout) as Record<string, unknown>;
      for (const key of [
        'cost_usd',
        'tokens',
        'sessions',
        'active_time_seconds',
        'lines',
        'commits',
        'pull_requests',
        'code_edit_decisions',
        'events',
      ]) {
        assert.ok(key in summary, `summary has ${key}`);
      }
      assert.deepEqual(Object.keys(summary.tokens as object).sort(), [
        'cacheCreation',
        'cacheRead',
        'input',
        'output',
      ]);
      assert.equal(summary.commits, 2);
      const table = ccmon(['report', 'sessions', '--server', server.apiUrl, '--token', token]);
      assert.equal(table.code, 0);
      assert.match(table.stdout, /tok/);
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });
});
