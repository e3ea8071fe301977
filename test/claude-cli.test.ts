// Proves the offline harness: the real Claude Code CLI talks to the fake Anthropic API, runs real tools
// and exports its telemetry over each OTLP protocol.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { claudeVersion, runClaude, type OtlpOptions } from './support/claude.js';
import { createFakeAnthropic, type RecordedRequest, type Turn } from './support/fake-anthropic.js';
import { createOtlpCapture, type CapturedExport } from './support/otlp-capture.js';

const HELLO = 'line one\nline two\nline three\n';

interface Case {
  protocol: OtlpOptions['protocol'];
  compression?: OtlpOptions['compression'];
  /** Let the CLI make its non-essential side request (the session title call) too. */
  sideRequests?: boolean;
}

const CASES: Case[] = [
  { protocol: 'grpc', compression: 'gzip' },
  { protocol: 'http/protobuf' },
  { protocol: 'http/json', sideRequests: true },
];

function usage(input: number, output: number): Turn['usage'] {
  return {
    input_tokens: input,
    output_tokens: output,
    cache_read_input_tokens: 40,
    cache_creation_input_tokens: 8,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The tool_result blocks of the last message of a Messages API request. */
function lastToolResults(req: RecordedRequest): Record<string, unknown>[] {
  const body = isRecord(req.body) ? req.body : {};
  const last = list(body['messages']).at(-1);
  const content = isRecord(last) ? list(last['content']) : [];
  return content.filter(isRecord).filter((block) => block['type'] === 'tool_result');
}

function resultText(block: Record<string, unknown>): string {
  const content = block['content'];
  if (typeof content === 'string') return content;
  return list(content)
    .filter(isRecord)
    .map((part) => (typeof part['text'] === 'string' ? part['text'] : ''))
    .join('');
}

/** Metric names in an OTLP/JSON ExportMetricsServiceRequest. */
function jsonMetricNames(doc: unknown): string[] {
  const names: string[] = [];
  for (const rm of list(isRecord(doc) ? doc['resourceMetrics'] : undefined)) {
    for (const sm of list(isRecord(rm) ? rm['scopeMetrics'] : undefined)) {
      for (const m of list(isRecord(sm) ? sm['metrics'] : undefined)) {
        if (isRecord(m) && typeof m['name'] === 'string') names.push(m['name']);
      }
    }
  }
  return names;
}

function overProtocol(c: Case): (e: CapturedExport) => boolean {
  switch (c.protocol) {
    case 'grpc':
      return (e) => e.transport === 'grpc';
    case 'http/protobuf':
      return (e) => e.transport === 'http' && e.contentType === 'application/x-protobuf';
    case 'http/json':
      return (e) => e.transport === 'http' && e.contentType === 'application/json';
  }
}

for (const c of CASES) {
  test(`Claude Code ${claudeVersion()} runs offline and exports OTLP over ${c.protocol}`, async (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'ccmon-claude-cwd-'));
    const hello = join(cwd, 'hello.txt');
    const fake = createFakeAnthropic([
      {
        text: 'Creating the file.',
        toolUse: { name: 'Write', input: { file_path: hello, content: HELLO } },
        usage: usage(1200, 60),
      },
      {
        toolUse: { name: 'Bash', input: { command: 'echo hi', description: 'Print hi' } },
        usage: usage(1300, 30),
      },
      { text: 'Wrote hello.txt and ran echo.', usage: usage(1400, 20) },
    ]);
    const capture = createOtlpCapture();
    t.after(async () => {
      await fake.close();
      await capture.close();
      rmSync(cwd, { recursive: true, force: true });
    });
    const { url } = await fake.start();
    const { httpUrl, grpcUrl } = await capture.start();

    const result = await runClaude({
      prompt: 'Create hello.txt with three lines, then run echo hi.',
      anthropicUrl: url,
      cwd,
      otlp: {
        protocol: c.protocol,
        endpoint: c.protocol === 'grpc' ? grpcUrl : httpUrl,
        ...(c.compression ? { compression: c.compression } : {}),
        metricIntervalMs: 1000,
        logsIntervalMs: 500,
      },
      ...(c.sideRequests ? { extraEnv: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: undefined } } : {}),
    });

    assert.equal(
      result.code,
      0,
      `claude exited with ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
    assert.match(result.stdout, /Wrote hello\.txt and ran echo\./);
    assert.equal(readFileSync(hello, 'utf8'), HELLO);

    // Main conversation: prompt, then one request per tool result, in script order.
    const main = fake.mainRequests();
    assert.equal(main.length, 3, `main requests: ${JSON.stringify(fake.requests.map((r) => r.path))}`);
    const [first, second, third] = main;
    assert.ok(first && second && third);
    for (const req of main) {
      assert.equal(req.model, 'claude-sonnet-4-5');
      assert.equal(req.stream, true);
    }
    assert.deepEqual(lastToolResults(first), []);
    const writeResult = lastToolResults(second);
    assert.equal(writeResult[0]?.['tool_use_id'], first.toolUseId);
    assert.notEqual(writeResult[0]?.['is_error'], true, resultText(writeResult[0] ?? {}));
    const bashResult = lastToolResults(third);
    assert.equal(bashResult[0]?.['tool_use_id'], second.toolUseId);
    assert.notEqual(bashResult[0]?.['is_error'], true, resultText(bashResult[0] ?? {}));
    assert.equal(resultText(bashResult[0] ?? {}).trim(), 'hi');
    const side = fake.requests.filter((r) => r.path === '/v1/messages' && !r.main);
    if (c.sideRequests) {
      assert.ok(side.length > 0, 'expected the session title request');
      for (const r of side) assert.equal(r.turn?.text, '{"title":"Test session"}');
    } else {
      assert.deepEqual(side, []);
    }
    assert.ok(
      fake.requests.every((r) => r.status === 200),
      'the fake answered every request',
    );
    const totals = fake.usageTotals();
    assert.equal(totals.requests, main.length + side.length);
    assert.equal(totals.byModel['claude-sonnet-4-5']?.input_tokens, totals.input_tokens);
    assert.ok(totals.input_tokens >= 1200 + 1300 + 1400);

    // The CLI flushes on exit, so both signals have arrived by the time it has exited.
    const matches = overProtocol(c);
    const metrics = await capture.waitFor((e) => matches(e) && e.signal === 'metrics', 5000);
    const logs = await capture.waitFor((e) => matches(e) && e.signal === 'logs', 5000);
    if (c.compression === 'gzip') assert.equal(metrics.encoding, 'gzip');
    const metricExports = capture.exports.filter((e) => matches(e) && e.signal === 'metrics');
    if (c.protocol === 'http/json') {
      const names = metricExports.flatMap((e) => jsonMetricNames(JSON.parse(e.body.toString('utf8'))));
      assert.ok(names.includes('claude_code.token.usage'), `metrics: ${names.join(', ')}`);
    } else {
      assert.ok(metricExports.some((e) => e.body.includes('claude_code.token.usage')));
    }
    assert.ok(
      capture.exports.some(
        (e) => matches(e) && e.signal === 'logs' && e.body.includes('claude_code.api_request'),
      ),
      `logs export of ${logs.body.length} bytes without api_request events`,
    );
  });
}
