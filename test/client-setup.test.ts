/**
 * `ccmon client setup / check / remove` as a user runs them, on a temporary HOME that already has a
 * settings.json and a .zshrc: remove leaves both byte for byte as they were, setup twice changes nothing
 * the second time, and a real Claude Code run, configured ONLY by the settings.json that setup wrote (no
 * telemetry variables of the test's own), sends its telemetry to a running ccmon.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runClaude } from './support/claude.js';
import { runCli } from './support/cli.js';
import { createFakeAnthropic } from './support/fake-anthropic.js';
import { startTestServer, tempDir, type TestServer } from './support/server.js';

const SETTINGS = `{
    "model": "claude-sonnet-4-5",
    "env": {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317",
        "MY_OWN": "kept"
    },
    "permissions": {"allow": ["Bash(ls:*)"]}
}
`;
// The document's earlier local setup, without a final newline: remove must give exactly this back.
const ZSHRC =
  '# my zshrc\nexport PATH="$HOME/bin:$PATH"\nexport OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317';

describe('client setup, check and remove on a temporary HOME', { timeout: 170_000 }, () => {
  let ccmon: TestServer;
  const home = tempDir('ccmon-home-');
  const settingsPath = join(home, '.claude', 'settings.json');
  const zshrc = join(home, '.zshrc');
  const cli = (args: string[]) => runCli(['client', ...args], { HOME: home });

  before(async () => {
    mkdirSync(join(home, '.claude'), { recursive: true });
    writeFileSync(settingsPath, SETTINGS);
    writeFileSync(zshrc, ZSHRC);
    ccmon = await startTestServer();
  });

  after(async () => {
    await ccmon?.stop();
  });

  it('shows the change as a diff with --dry-run and writes nothing', async () => {
    const result = await cli([
      'setup',
      '--endpoint',
      `http://${ccmon.grpcTarget}`,
      '--machine-name',
      'e2e-host',
      '--dry-run',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^--- .*\/\.claude\/settings\.json$/m);
    assert.match(result.stdout, /^- {8}"OTEL_EXPORTER_OTLP_ENDPOINT": "http:\/\/localhost:4317",$/m);
    assert.match(result.stdout, /^\+ {8}"OTEL_RESOURCE_ATTRIBUTES": "machine\.name=e2e-host"/m);
    assert.equal(readFileSync(settingsPath, 'utf8'), SETTINGS);
    assert.equal(existsSync(`${settingsPath}.ccmon-backup`), false);
  });

  it('writes settings.json once; a second setup changes nothing', async () => {
    const args = [
      'setup',
      '--endpoint',
      `http://${ccmon.grpcTarget}`,
      '--protocol',
      'grpc',
      '--machine-name',
      'e2e-host',
    ];
    const first = await cli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /wrote .*settings\.json \(previous content in .*\.ccmon-backup\)/);
    const written = readFileSync(settingsPath, 'utf8');
    const parsed = JSON.parse(written) as { env: Record<string, string>; model: string };
    assert.equal(parsed.env.OTEL_EXPORTER_OTLP_ENDPOINT, `http://${ccmon.grpcTarget}`);
    assert.equal(parsed.env.MY_OWN, 'kept');
    assert.equal(parsed.model, 'claude-sonnet-4-5');
    assert.match(
      written,
      /^ {8}"CLAUDE_CODE_ENABLE_TELEMETRY": "1",$/m,
      'the file keeps its four-space indentation',
    );
    const second = await cli(args);
    assert.equal(second.code, 0);
    assert.match(second.stdout, /already set up: nothing changed/);
    assert.equal(readFileSync(settingsPath, 'utf8'), written);
  });

  it('makes a real Claude Code run send its telemetry to ccmon, through settings.json alone', async () => {
    const fake = createFakeAnthropic([
      {
        text: 'Hello from the fake API.',
        usage: {
          input_tokens: 1200,
          output_tokens: 35,
          cache_read_input_tokens: 3000,
          cache_creation_input_tokens: 500,
        },
      },
    ]);
    const { url } = await fake.start();
    try {
      const run = await runClaude({
        prompt: 'Say hello in a few words, please.',
        anthropicUrl: url,
        cwd: tempDir('ccmon-cwd-'),
        home,
      });
      assert.equal(run.code, 0, run.stderr);
    } finally {
      await fake.close();
    }
    const machines = (await (await fetch(`${ccmon.apiUrl}/api/v1/report/machines?from=1h`)).json()) as {
      key: string;
      cost_usd: number;
    }[];
    const mine = machines.find((m) => m.key === 'e2e-host');
    assert.ok(mine, `ccmon got nothing from e2e-host: ${JSON.stringify(machines)}`);
    assert.ok(mine.cost_usd > 0, 'the session cost arrived');
  });

  it('check reports accepted against the running ccmon', async () => {
    const result = await cli(['check']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /over grpc as e2e-host/);
    assert.match(result.stdout, /^OK: accepted: gRPC Export/m);
  });

  it('writes and checks a marked block in .zshrc, then takes it out byte for byte', async () => {
    const setup = await cli([
      'setup',
      '--shell',
      'zsh',
      '--endpoint',
      ccmon.otlpHttpUrl,
      '--protocol',
      'http/json',
      '--machine-name',
      'e2e-zsh',
    ]);
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(
      setup.stderr,
      /\.zshrc also sets OTEL_EXPORTER_OTLP_ENDPOINT outside ccmon's block; whichever comes later wins/,
    );
    const rc = readFileSync(zshrc, 'utf8');
    assert.ok(rc.startsWith(`${ZSHRC}\n\n# >>> ccmon >>>\n`), rc);
    assert.match(rc, /^export OTEL_EXPORTER_OTLP_PROTOCOL='http\/json'$/m);
    const check = await cli(['check', '--shell', 'zsh']);
    assert.equal(check.code, 0, check.stdout);
    assert.match(check.stdout, /OK: accepted: POST .*\/v1\/metrics answered 200/);
    const remove = await cli(['remove', '--shell', 'zsh']);
    assert.equal(remove.code, 0, remove.stderr);
    assert.equal(readFileSync(zshrc, 'utf8'), ZSHRC);
  });

  it('check reports not accepted, with a hint, when ccmon is stopped', async () => {
    await ccmon.stop();
    const result = await cli(['check', '--timeout', '3s']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^FAILED: not accepted: gRPC Export to .* failed with UNAVAILABLE/m);
    assert.match(
      result.stdout,
      /^hint: nothing accepts connections at .*: is the collector \(or `ccmon serve`\) running there\?/m,
    );
  });

  it('remove restores settings.json byte for byte and drops the backup', async () => {
    const result = await cli(['remove']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(settingsPath, 'utf8'), SETTINGS);
    assert.equal(existsSync(`${settingsPath}.ccmon-backup`), false);
    const again = await cli(['remove']);
    assert.match(again.stderr, /nothing to remove/);
    assert.equal(readFileSync(settingsPath, 'utf8'), SETTINGS);
  });
});
