/**
 * Receivers: what each kind of endpoint is sent (pure payload builders) and a delivery queue per
 * receiver. Kinds: a generic JSON webhook (Alertmanager's webhook format, so tools that take
 * Alertmanager webhooks take ccmon's), an Alertmanager (its v2 API), ntfy, and Slack-style webhooks.
 */
import type { ReceiverConfig, Severity } from './config.js';
import { DeliveryError, DeliveryQueue, type QueueOptions, type QueueStats } from './delivery-queue.js';
import type { Labels } from './state.js';

/** One alert as it is notified. Labels include `alertname` and `severity`. */
export interface Notice {
  readonly status: 'firing' | 'resolved';
  readonly rule: string;
  readonly severity: Severity;
  readonly labels: Labels;
  readonly annotations: { readonly summary: string; readonly description: string };
  readonly value: number;
  readonly startsAt: string;
  /** resolved: when; firing: until when Alertmanager should hold it without hearing again */
  readonly endsAt: string | undefined;
  readonly generatorURL: string;
}

export interface HttpRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function fingerprint(labels: Labels): string {
  // FNV-1a over the sorted labels: stable, short, and enough to tell alerts apart in a payload.
  let hash = 0xcbf29ce484222325n;
  for (const [k, v] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const ch of `${k}\u0000${v}\u0000`) {
      hash ^= BigInt(ch.codePointAt(0) ?? 0);
      hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  }
  return hash.toString(16).padStart(16, '0');
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function webhookBody(receiver: ReceiverConfig, n: Notice, externalUrl: string): unknown {
  return {
    version: '4',
    groupKey: `ccmon:${n.rule}:${fingerprint(n.labels)}`,
    truncatedAlerts: 0,
    status: n.status,
    receiver: receiver.name,
    groupLabels: { alertname: n.rule },
    commonLabels: n.labels,
    commonAnnotations: n.annotations,
    externalURL: externalUrl,
    alerts: [
      {
        status: n.status,
        labels: n.labels,
        annotations: n.annotations,
        startsAt: n.startsAt,
        endsAt: n.status === 'resolved' ? (n.endsAt ?? ZERO_TIME) : ZERO_TIME,
        generatorURL: n.generatorURL,
        fingerprint: fingerprint(n.labels),
        value: n.value,
      },
    ],
  };
}

const NTFY_PRIORITY: Record<Severity, number> = { critical: 5, warning: 4, info: 3 };
const NTFY_TAGS: Record<Severity, string> = {
  critical: 'rotating_light',
  warning: 'warning',
  info: 'information_source',
};
const SLACK_ICON: Record<Severity, string> = {
  critical: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
};

function title(n: Notice): string {
  return `[${n.status === 'firing' ? 'FIRING' : 'RESOLVED'}] ${n.rule}: ${n.annotations.summary}`;
}

/**
 * The HTTP requests that deliver `notices` to a receiver: Alertmanager takes them in one request,
 * the others one request per notice.
 */
export function requestsFor(
  receiver: ReceiverConfig,
  notices: readonly Notice[],
  externalUrl: string,
): HttpRequest[] {
  const headers = { ...JSON_HEADERS, ...receiver.headers };
  switch (receiver.type) {
    case 'alertmanager':
      return notices.length === 0
        ? []
        : [
            {
              url: `${receiver.url.replace(/\/+$/, '')}/api/v2/alerts`,
              headers,
              body: JSON.stringify(
                notices.map((n) => ({
                  labels: n.labels,
                  annotations: n.annotations,
                  startsAt: n.startsAt,
                  ...(n.endsAt !== undefined ? { endsAt: n.endsAt } : {}),
                  generatorURL: n.generatorURL,
                })),
              ),
            },
          ];
    case 'webhook':
      return notices.map((n) => ({
        url: receiver.url,
        headers,
        body: JSON.stringify(webhookBody(receiver, n, externalUrl)),
      }));
    case 'ntfy':
      return notices.map((n) => ({
        url: receiver.url,
        headers,
        body: JSON.stringify({
          topic: receiver.topic,
          title: title(n),
          message: n.annotations.description,
          priority: n.status === 'resolved' ? 3 : NTFY_PRIORITY[n.severity],
          tags: [n.status === 'resolved' ? 'white_check_mark' : NTFY_TAGS[n.severity]],
          click: n.generatorURL,
        }),
      }));
    case 'slack':
      return notices.map((n) => ({
        url: receiver.url,
        headers,
        body: JSON.stringify({
          text: `${n.status === 'resolved' ? ':white_check_mark:' : SLACK_ICON[n.severity]} *${title(n)}*\n${n.annotations.description}`,
        }),
      }));
  }
}

/** POSTs one request; 2xx is success, 408/429/5xx and network errors are retried, other answers are not. */
export async function post(request: HttpRequest, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new DeliveryError(
      `POST ${request.url} failed: ${error instanceof Error ? error.message : String(error)}${cause}`,
      true,
    );
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return;
  const retry = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new DeliveryError(
    `POST ${request.url} answered ${response.status} ${text.slice(0, 200)}`.trim(),
    retry,
  );
}

export interface Receiver {
  readonly config: ReceiverConfig;
  /** Queues the notices; returns at once. */
  send(notices: readonly Notice[]): void;
  stats(): QueueStats;
  close(graceMs?: number): Promise<void>;
}

export function createReceiver(
  config: ReceiverConfig,
  externalUrl: () => string,
  log: (line: string) => void,
  retry: Pick<QueueOptions, 'retryBaseMs' | 'retryMaxMs' | 'giveUpAfterMs'> = {},
): Receiver {
  const queue = new DeliveryQueue<HttpRequest>(config.name, (r) => post(r, config.timeoutMs), {
    maxQueue: config.maxQueue,
    log,
    ...retry,
  });
  return {
    config,
    send(notices) {
      const wanted = config.sendResolved ? notices : notices.filter((n) => n.status === 'firing');
      for (const request of requestsFor(config, wanted, externalUrl())) queue.push(request);
    },
    stats: () => queue.stats(),
    close: (graceMs) => queue.close(graceMs),
  };
}
