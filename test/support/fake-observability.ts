/**
 * Stand-ins for Loki and Grafana, which do not run here: small loopback HTTP servers that answer only the
 * calls `ccmon verify` makes, shaped after those APIs' documentation:
 * - Loki: `GET /config` (the running configuration as YAML) and `GET /loki/api/v1/query_range`
 *   (`{"status":"success","data":{"resultType":"streams","result":[{"stream":{…},"values":[[ns, line, {…}]]}]}}`;
 *   with `X-Loki-Response-Encoding-Flags: categorize-labels` each value carries `{"structuredMetadata":{…}}`
 *   and the stream holds only index labels, without it structured metadata is merged into the stream labels).
 * - Grafana: `GET /api/dashboards/uid/:uid` with a bearer token (`{"dashboard":{…},"meta":{…}}`; 401 without a
 *   valid token, 404 `{"message":"Dashboard not found"}`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export interface LokiEvent {
  readonly timeMs: number;
  readonly eventName: string;
  readonly sessionId: string;
}

export interface FakeLokiState {
  allowStructuredMetadata: boolean;
  events: LokiEvent[];
}

function start(handle: (req: IncomingMessage, url: URL, res: ServerResponse) => void): Promise<FakeServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method ?? ''} ${url.pathname}`);
    handle(req, url, res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type }).end(text);
}

export function startFakeLoki(state: FakeLokiState): Promise<FakeServer> {
  return start((req, url, res) => {
    if (url.pathname === '/config') {
      send(
        res,
        200,
        `target: all\nlimits_config:\n  allow_structured_metadata: ${state.allowStructuredMetadata}\n  max_query_length: 721h\n`,
        'text/plain; charset=utf-8',
      );
      return;
    }
    if (url.pathname !== '/loki/api/v1/query_range') {
      send(res, 404, '404 page not found\n', 'text/plain');
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    const startNs = BigInt(url.searchParams.get('start') ?? '0');
    const endNs = BigInt(url.searchParams.get('end') ?? String(BigInt(Date.now()) * 1_000_000n));
    if (!query.startsWith('{service_name="claude-code"}')) {
      send(res, 200, { status: 'success', data: { resultType: 'streams', result: [] } });
      return;
    }
    const categorized = req.headers['x-loki-response-encoding-flags'] === 'categorize-labels';
    // Without structured metadata Loki refuses OTLP pushes that carry attributes: nothing was stored.
    const stored = state.allowStructuredMetadata ? state.events : [];
    const inRange = stored.filter((e) => {
      const ns = BigInt(e.timeMs) * 1_000_000n;
      return ns >= startNs && ns <= endNs;
    });
    const index = { service_name: 'claude-code' };
    const result = inRange.map((e) => {
      const metadata = { event_name: e.eventName, session_id: e.sessionId };
      const ns = String(BigInt(e.timeMs) * 1_000_000n);
      const line = `claude_code.${e.eventName}`;
      return categorized
        ? { stream: index, values: [[ns, line, { structuredMetadata: metadata }]] }
        : { stream: { ...index, ...metadata }, values: [[ns, line]] };
    });
    send(res, 200, {
      status: 'success',
      data: {
        resultType: 'streams',
        result,
        stats: {},
        ...(categorized ? { encodingFlags: ['categorize-labels'] } : {}),
      },
    });
  });
}

export interface FakeGrafanaState {
  token: string;
  /** dashboards by uid, as the sidecar would have loaded them */
  dashboards: Map<string, object>;
}

export function startFakeGrafana(state: FakeGrafanaState): Promise<FakeServer> {
  return start((req, url, res) => {
    if (req.headers.authorization !== `Bearer ${state.token}`) {
      send(res, 401, { message: 'Unauthorized' });
      return;
    }
    const match = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(url.pathname);
    const dashboard =
      match?.[1] !== undefined ? state.dashboards.get(decodeURIComponent(match[1])) : undefined;
    if (dashboard === undefined) {
      send(res, 404, { message: 'Dashboard not found' });
      return;
    }
    send(res, 200, { dashboard, meta: { type: 'db', provisioned: true, folderTitle: 'General' } });
  });
}
