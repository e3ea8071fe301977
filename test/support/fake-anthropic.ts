// A local stand-in for the Anthropic Messages API, so the real Claude Code CLI can run offline in tests.
//
// Main conversation vs side requests: Claude Code sends its agent loop requests with the tool definitions
// (`tools` is a non-empty array), while its auxiliary calls carry `tools: []` or none. A `/v1/messages`
// request counts as *main* exactly when its body has a non-empty `tools` array. Only main requests consume
// an array script. Consequences: a session run with all tools disabled (`--tools ""`) has no main requests,
// and a subagent (which has tools) consumes the script like the main agent does.
//
// The side request seen from the CLI in print mode is the session title call (same model as the session,
// `output_config.format` asking for `{"title": string}`). It is non-essential traffic: it is not sent with
// CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1, nor for very short prompts. `sideTurn` answers it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface Turn {
  text?: string;
  toolUse?: { name: string; input: Record<string, unknown> };
  usage: Usage;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** Raw query string without `?` (empty when absent). */
  query: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  model: string | undefined;
  stream: boolean;
  /** True for main-conversation `/v1/messages` calls (see the header comment for the rule). */
  main: boolean;
  status: number;
  /** What the fake answered, for `/v1/messages` calls. */
  turn?: Turn;
  /** Id of the answered message (`msg_...`). */
  messageId?: string;
  /** Id of the tool_use block in the answer, which the CLI echoes in its tool_result. */
  toolUseId?: string;
  /** The usage the fake returned, for `/v1/messages` calls. */
  usage?: Usage;
}

/**
 * An array is consumed in order by main-conversation requests. A function is called for every
 * `/v1/messages` request (main and side: check `req.main`) and answers it.
 */
export type Script = Turn[] | ((req: RecordedRequest) => Turn);

export interface UsageTotals extends Usage {
  requests: number;
  byModel: Record<string, Usage & { requests: number }>;
}

export interface FakeAnthropic {
  readonly requests: RecordedRequest[];
  /** Requests answered as main-conversation turns, in order. */
  mainRequests(): RecordedRequest[];
  usageTotals(): UsageTotals;
  start(): Promise<{ url: string }>;
  close(): Promise<void>;
}

/** Answer for main requests once an array script is exhausted. */
export const FALLBACK_TURN: Turn = {
  text: 'Done.',
  usage: { input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
};

const SIDE_USAGE: Usage = {
  input_tokens: 3,
  output_tokens: 2,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Builds a value that satisfies the simple JSON schemas the CLI sends with structured-output side calls
// (the session title call asks for `{"title": string}`).
function sampleFor(schema: unknown): unknown {
  if (!isRecord(schema)) return null;
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  switch (schema['type']) {
    case 'string':
      return 'Test session';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const props = isRecord(schema['properties']) ? schema['properties'] : {};
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(props)) out[key] = sampleFor(sub);
      return out;
    }
    default:
      return null;
  }
}

/**
 * The fake's answer to a side request: a short text, or, when the request asks for structured output
 * (`output_config.format` of type `json_schema`), a JSON document matching that schema. Function scripts
 * can delegate side requests to it.
 */
export function sideTurn(req: RecordedRequest): Turn {
  const body = isRecord(req.body) ? req.body : {};
  const config = isRecord(body['output_config']) ? body['output_config'] : {};
  const format = isRecord(config['format']) ? config['format'] : {};
  if (format['type'] === 'json_schema') {
    return { text: JSON.stringify(sampleFor(format['schema'])), usage: { ...SIDE_USAGE } };
  }
  return { text: 'Test session', usage: { ...SIDE_USAGE } };
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function emptyUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
}

function addUsage(into: Usage, add: Usage): void {
  into.input_tokens += add.input_tokens;
  into.output_tokens += add.output_tokens;
  into.cache_read_input_tokens += add.cache_read_input_tokens;
  into.cache_creation_input_tokens += add.cache_creation_input_tokens;
}

type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

function toolUseIdFor(messageId: string): string {
  return `toolu_${messageId.slice('msg_'.length)}`;
}

function contentOf(turn: Turn, messageId: string): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  if (turn.text !== undefined) blocks.push({ type: 'text', text: turn.text });
  if (turn.toolUse) {
    blocks.push({
      type: 'tool_use',
      id: toolUseIdFor(messageId),
      name: turn.toolUse.name,
      input: turn.toolUse.input,
    });
  }
  // Keep the message well-formed. The CLI re-sends a request whose answer is empty, so an empty turn
  // consumes the next scripted turn as well.
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
  return blocks;
}

function writeStream(res: http.ServerResponse, model: string, id: string, turn: Turn): void {
  const blocks = contentOf(turn, id);
  const stopReason = turn.toolUse ? 'tool_use' : 'end_turn';
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: string, data: Record<string, unknown>): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  };
  send('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Like the real API: input and cache figures up front, output tokens finalised in message_delta.
      usage: { ...turn.usage, output_tokens: 1 },
    },
  });
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      send('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      send('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      send('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    send('content_block_stop', { index });
  });
  send('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { ...turn.usage },
  });
  send('message_stop', {});
  res.end();
}

function writeJson(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function createFakeAnthropic(script: Script): FakeAnthropic {
  const requests: RecordedRequest[] = [];
  let nextTurn = 0;
  let counter = 0;

  const pickTurn = (rec: RecordedRequest): Turn => {
    if (typeof script === 'function') return script(rec);
    if (!rec.main) return sideTurn(rec);
    const turn = script[nextTurn];
    if (turn === undefined) return FALLBACK_TURN;
    nextTurn += 1;
    return turn;
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const body = parseJson(raw);
    const obj = isRecord(body) ? body : {};
    const tools = obj['tools'];
    const rec: RecordedRequest = {
      method,
      path,
      query: q === -1 ? '' : url.slice(q + 1),
      headers: req.headers,
      body,
      model: typeof obj['model'] === 'string' ? obj['model'] : undefined,
      stream: obj['stream'] === true,
      main: false,
      status: 200,
    };
    requests.push(rec);

    if ((method === 'HEAD' || method === 'GET') && path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(method === 'HEAD' ? undefined : 'ok');
      return;
    }
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      writeJson(res, 200, { input_tokens: 10 });
      return;
    }
    if (method === 'POST' && path === '/v1/messages') {
      rec.main = Array.isArray(tools) && tools.length > 0;
      let turn: Turn;
      try {
        turn = pickTurn(rec);
      } catch (err) {
        // A throwing script function should fail the CLI run visibly rather than hang it.
        rec.status = 500;
        writeJson(res, 500, {
          type: 'error',
          error: { type: 'api_error', message: err instanceof Error ? err.message : String(err) },
        });
        return;
      }
      counter += 1;
      const id = `msg_fake${String(counter).padStart(6, '0')}`;
      const model = rec.model ?? 'claude-sonnet-4-5';
      rec.turn = turn;
      rec.messageId = id;
      if (turn.toolUse) rec.toolUseId = toolUseIdFor(id);
      rec.usage = { ...turn.usage };
      if (rec.stream) {
        writeStream(res, model, id, turn);
      } else {
        writeJson(res, 200, {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: contentOf(turn, id),
          stop_reason: turn.toolUse ? 'tool_use' : 'end_turn',
          stop_sequence: null,
          usage: { ...turn.usage },
        });
      }
      return;
    }
    rec.status = 404;
    writeJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `${method} ${path}` } });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });

  return {
    requests,
    mainRequests: () => requests.filter((r) => r.main),
    usageTotals(): UsageTotals {
      const totals: UsageTotals = { ...emptyUsage(), requests: 0, byModel: {} };
      for (const r of requests) {
        if (r.path !== '/v1/messages' || r.usage === undefined) continue;
        const model = r.model ?? 'unknown';
        const per = (totals.byModel[model] ??= { ...emptyUsage(), requests: 0 });
        addUsage(totals, r.usage);
        addUsage(per, r.usage);
        totals.requests += 1;
        per.requests += 1;
      }
      return totals;
    },
    start(): Promise<{ url: string }> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo;
          resolve({ url: `http://127.0.0.1:${port}` });
        });
      });
    },
    close(): Promise<void> {
      return new Promise((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        // The CLI keeps sockets alive; drop them so close() does not wait for their idle timeout.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
  };
}
