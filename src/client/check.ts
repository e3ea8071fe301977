/**
 * `client check`: one test export to the configured receiver, over the configured protocol, and a verdict
 * a person can act on (accepted, or why not and what to try).
 */
import { credentials, Client, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { ClientSettings } from './env.js';
import {
  decodePartialJson,
  decodePartialProto,
  encodeCheckJson,
  encodeCheckProto,
  type CheckPoint,
  type PartialSuccess,
} from './otlp-request.js';

export interface CheckResult {
  readonly accepted: boolean;
  /** what happened, in one line */
  readonly detail: string;
  /** what to try, when not accepted */
  readonly hint?: string;
  readonly ms: number;
}

const GRPC_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

const PORT_HINT = 'OTLP listens on 4317 (gRPC) and 4318 (HTTP); the protocol must match the port';

function connectionHint(settings: ClientSettings, message: string): string {
  const url = new URL(settings.endpoint);
  if (/ECONNREFUSED|connection refused|No connection established/i.test(message))
    return `nothing accepts connections at ${url.host}: is the collector (or \`ccmon serve\`) running there? For the cluster, \`kubectl -n monitoring get pods -l app=otel-collector\` and \`kubectl -n monitoring get svc otel-collector\` (EXTERNAL-IP). ${PORT_HINT}.`;
  if (/ENOTFOUND|EAI_AGAIN|Name resolution|DNS/i.test(message))
    return `the host name ${url.hostname} does not resolve from this machine; use an IP address or fix DNS`;
  if (/timeout|timed out|deadline|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(message))
    return `no answer from ${url.host}: the address may not be reachable from this network (firewall, VLAN, a load-balancer IP that is not announced); try \`curl ${url.protocol}//${url.hostname}:13133/\``;
  return `check the endpoint and protocol (${PORT_HINT}); run \`ccmon verify\` against the cluster for more`;
}

function partialVerdict(partial: PartialSuccess | undefined, what: string, ms: number): CheckResult {
  if (partial !== undefined && partial.rejected > 0)
    return {
      accepted: false,
      detail: `${what}, but the receiver rejected the test point: ${partial.message || 'no reason given'}`,
      hint: 'the receiver is reachable; its pipeline refused the data (look at its logs)',
      ms,
    };
  return { accepted: true, detail: `${what}${partial?.message ? ` (note: ${partial.message})` : ''}`, ms };
}

async function checkHttp(
  settings: ClientSettings,
  point: CheckPoint,
  timeoutMs: number,
): Promise<CheckResult> {
  const json = settings.protocol === 'http/json';
  const url = `${settings.endpoint}/v1/metrics`;
  const headers: Record<string, string> = {
    'content-type': json ? 'application/json' : 'application/x-protobuf',
  };
  if (settings.token !== undefined) headers.authorization = `Bearer ${settings.token}`;
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: json ? encodeCheckJson(point) : encodeCheckProto(point),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const message = describe(error);
    const ms = Date.now() - started;
    const hint = /other side closed|SocketError|HPE_|protocol/i.test(message)
      ? `the server at ${new URL(url).host} does not speak HTTP/1.1: if it is an OTLP/gRPC port (4317), use --protocol grpc or port 4318`
      : connectionHint(settings, message);
    return { accepted: false, detail: `POST ${url} failed: ${message}`, hint, ms };
  }
  const body = new Uint8Array(await response.arrayBuffer());
  const ms = Date.now() - started;
  if (response.ok) {
    const partial = json ? decodePartialJson(Buffer.from(body).toString('utf8')) : decodePartialProto(body);
    return partialVerdict(partial, `accepted: POST ${url} answered ${response.status}`, ms);
  }
  const hints: Record<number, string> = {
    401: "the receiver wants a bearer token: run `ccmon client setup` again with --token (the same as the server's)",
    403: 'the receiver refused the token: check --token',
    404: `no OTLP metrics endpoint at ${url}: the endpoint is the base URL (the exporter appends /v1/metrics), and ${PORT_HINT}`,
    405: `${url} does not take POST: is this an OTLP/HTTP receiver?`,
    415: 'the receiver does not take this content type: try --protocol http/protobuf',
    503: 'the receiver is overloaded or starting: retry in a moment',
  };
  return {
    accepted: false,
    detail: `not accepted: POST ${url} answered ${response.status} ${response.statusText}`,
    hint: hints[response.status] ?? "look at the receiver's logs for why it refused the request",
    ms,
  };
}

function checkGrpc(settings: ClientSettings, point: CheckPoint, timeoutMs: number): Promise<CheckResult> {
  const url = new URL(settings.endpoint);
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  const target = `${url.hostname.includes(':') ? `[${url.hostname}]` : url.hostname}:${port}`;
  const client = new Client(
    target,
    url.protocol === 'https:' ? credentials.createSsl() : credentials.createInsecure(),
  );
  const metadata = new Metadata();
  if (settings.token !== undefined) metadata.set('authorization', `Bearer ${settings.token}`);
  const identity = (b: Buffer): Buffer => b;
  const started = Date.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      GRPC_PATH,
      identity,
      identity,
      Buffer.from(encodeCheckProto(point)),
      metadata,
      { deadline: Date.now() + timeoutMs },
      (error: ServiceError | null, reply?: Buffer) => {
        client.close();
        const ms = Date.now() - started;
        if (error === null) {
          resolve(
            partialVerdict(
              reply === undefined ? undefined : decodePartialProto(reply),
              `accepted: gRPC Export to ${target} returned OK`,
              ms,
            ),
          );
          return;
        }
        const name = GrpcStatus[error.code] ?? String(error.code);
        const hints: Partial<Record<number, string>> = {
          [GrpcStatus.UNAUTHENTICATED]:
            'the receiver wants a bearer token: run `ccmon client setup` again with --token',
          [GrpcStatus.PERMISSION_DENIED]: 'the receiver refused the token: check --token',
          [GrpcStatus.UNIMPLEMENTED]: `${target} has no OTLP metrics service: wrong port (${PORT_HINT}), or the collector has no metrics pipeline`,
          [GrpcStatus.RESOURCE_EXHAUSTED]:
            'the receiver refused the size or is out of memory (memory_limiter): look at its logs',
          [GrpcStatus.DEADLINE_EXCEEDED]: connectionHint(settings, 'timeout'),
        };
        const hint =
          hints[error.code] ??
          (/Protocol error|parse|HTTP\/1|Received RST_STREAM/i.test(error.details)
            ? `${target} does not speak gRPC: if it is an OTLP/HTTP port (4318), use --protocol http/protobuf or port 4317`
            : connectionHint(settings, error.details));
        resolve({
          accepted: false,
          detail: `not accepted: gRPC Export to ${target} failed with ${name}: ${error.details}`,
          hint,
          ms,
        });
      },
    );
  });
}

export function sendCheck(
  settings: ClientSettings,
  point: CheckPoint,
  timeoutMs = 10_000,
): Promise<CheckResult> {
  return settings.protocol === 'grpc'
    ? checkGrpc(settings, point, timeoutMs)
    : checkHttp(settings, point, timeoutMs);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  const inner =
    cause instanceof Error
      ? `${(cause as Error & { code?: string }).code ?? cause.name}: ${cause.message}`
      : '';
  if (error.name === 'TimeoutError') return `timed out (${error.message})`;
  return inner !== '' ? `${error.message} (${inner})` : error.message;
}
