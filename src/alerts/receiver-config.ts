/** The `alerts.receivers` list of the config file: where notifications go. */
import { ConfigError } from '../config/values.js';
import { Section } from './config-section.js';

export type ReceiverType = 'webhook' | 'alertmanager' | 'ntfy' | 'slack';

export interface ReceiverConfig {
  readonly name: string;
  readonly type: ReceiverType;
  /** webhook / slack: the URL posted to; alertmanager: its base URL; ntfy: the server's base URL */
  readonly url: string;
  /** ntfy only */
  readonly topic: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly sendResolved: boolean;
  /** alertmanager: firing alerts are sent again this often, so Alertmanager keeps them */
  readonly resendMs: number;
  /** notifications waiting for delivery beyond this are dropped, oldest first */
  readonly maxQueue: number;
}

const RECEIVER_KEYS = [
  'name',
  'type',
  'url',
  'topic',
  'headers',
  'timeout',
  'send-resolved',
  'resend-interval',
  'max-queue',
];

function receiver(path: string, value: unknown, index: number): ReceiverConfig {
  const s = Section.of(path, value, RECEIVER_KEYS);
  const type = s.get('type');
  if (type !== 'webhook' && type !== 'alertmanager' && type !== 'ntfy' && type !== 'slack')
    throw new ConfigError(
      `${s.name('type')}: expected webhook, alertmanager, ntfy or slack, got "${String(type)}"`,
    );
  const url = s.string('url', '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol))
    throw new ConfigError(`${s.name('url')}: expected an http:// or https:// URL, got "${url}"`);
  const topic = type === 'ntfy' ? s.string('topic', '') : undefined;
  if (type === 'ntfy' && topic === '')
    throw new ConfigError(`${s.name('topic')}: an ntfy receiver needs a topic`);
  const rawHeaders = s.get('headers') ?? {};
  if (typeof rawHeaders !== 'object' || rawHeaders === null || Array.isArray(rawHeaders))
    throw new ConfigError(`${s.name('headers')}: must be a mapping of header names to values`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders)) {
    if (!/^[A-Za-z0-9-]+$/.test(k) || typeof v !== 'string' || /[\r\n]/.test(v))
      throw new ConfigError(`${s.name('headers')}.${k}: expected a header name with a one-line text value`);
    headers[k] = v;
  }
  const maxQueue = s.number('max-queue', 1000, 1, 'a whole number of notifications, at least 1') ?? 1000;
  if (!Number.isInteger(maxQueue))
    throw new ConfigError(`${s.name('max-queue')}: expected a whole number, got "${maxQueue}"`);
  return {
    name: s.string('name', `${type}-${index + 1}`),
    type,
    url,
    topic,
    headers,
    timeoutMs: s.duration('timeout', '10s', 100),
    sendResolved: s.bool('send-resolved', true),
    resendMs: s.duration('resend-interval', '1m', 100),
    maxQueue,
  };
}

export function receivers(value: unknown): ReceiverConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError('alerts.receivers: must be a list of receivers');
  const out = value.map((r, i) => receiver(`alerts.receivers[${i}]`, r, i));
  const names = out.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ConfigError(`alerts.receivers: the name "${dup}" is used twice`);
  return out;
}
