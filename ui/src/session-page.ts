import { apiGet, ApiError } from './api.js';
import type { SessionDetail, SessionEvent, SessionRow } from './api-types.js';
import { el, replace } from './dom.js';
import { formatClock, formatDuration, formatMs, formatShort, formatTime, formatUsd } from './format.js';
import { errorBox, latestOnly, type PageContext, type PageView } from './page.js';
import { eventBadge } from './panel-tables.js';
import { pageHref } from './state.js';

/*
 * One session: its totals, then every event in order, grouped by the prompt that caused it. Tool
 * inputs, prompts and error texts are raw user content: they are shown as text in <pre> blocks.
 */

/** Attributes worth showing in full under the event, not only behind "attributes". */
const CONTENT_KEYS = ['prompt', 'tool_input', 'tool_parameters', 'error'];

function attributesOf(event: SessionEvent): Record<string, unknown> {
  let value = event.attributes;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { attributes: value };
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** An object, or a string holding a JSON object (tool_input, tool_parameters); otherwise undefined. */
function objectOf(value: unknown): Record<string, unknown> | undefined {
  let v = value;
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Text as it came (multi-line file contents stay readable); other values as indented JSON. */
function display(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
}

/** A tool's input as one row per argument, each value in a <pre>; other content as one block. */
function contentBlock(value: unknown): HTMLElement {
  const object = objectOf(value);
  if (object === undefined || Object.keys(object).length === 0)
    return el('pre', { class: 'code' }, display(value));
  return el(
    'table',
    { class: 'kv code-kv' },
    el(
      'tbody',
      {},
      ...Object.entries(object).map(([k, v]) =>
        el('tr', {}, el('th', {}, k), el('td', {}, el('pre', {}, display(v)))),
      ),
    ),
  );
}

function isFailure(event: SessionEvent): boolean {
  return event.name === 'api_error' || event.success === false || String(event.success) === 'false';
}

function summary(event: SessionEvent, attrs: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (part: string | null | undefined | false): void => {
    if (part !== null && part !== undefined && part !== false && part !== '') parts.push(part);
  };
  switch (event.name) {
    case 'user_prompt':
      add(typeof attrs.prompt_length !== 'undefined' ? `${String(attrs.prompt_length)} characters` : null);
      break;
    case 'api_request':
      add(event.model);
      add(
        event.input_tokens != null || event.output_tokens != null
          ? `${formatShort(event.input_tokens ?? 0)} in / ${formatShort(event.output_tokens ?? 0)} out`
          : null,
      );
      add(event.cost_usd != null && formatUsd(event.cost_usd));
      add(event.duration_ms != null && formatMs(event.duration_ms));
      break;
    case 'api_error':
      add(event.status_code != null && `HTTP ${event.status_code}`);
      add(event.model);
      add(event.duration_ms != null && formatMs(event.duration_ms));
      break;
    case 'tool_decision':
      add(event.tool_name);
      add(typeof attrs.decision === 'string' ? attrs.decision : null);
      add(typeof attrs.source === 'string' ? `(${attrs.source})` : null);
      break;
    case 'tool_result':
      add(event.tool_name);
      add(event.success == null ? null : isFailure(event) ? 'failed' : 'succeeded');
      add(event.duration_ms != null && formatMs(event.duration_ms));
      break;
    default:
      add(event.model);
      add(event.tool_name);
  }
  return parts.join(' · ');
}

function eventRow(event: SessionEvent): HTMLElement {
  const attrs = attributesOf(event);
  const ms = event.time === null ? NaN : Date.parse(event.time);
  // Content the user did not opt in to arrives as "<REDACTED>": nothing worth a block.
  const content = CONTENT_KEYS.filter(
    (k) => attrs[k] !== undefined && attrs[k] !== null && attrs[k] !== '' && attrs[k] !== '<REDACTED>',
  );
  if (event.error && !content.includes('error')) content.push('error');
  const contentValue = (key: string): unknown =>
    key === 'error' && attrs.error === undefined ? event.error : attrs[key];
  const rest = Object.keys(attrs)
    .filter((k) => !content.includes(k))
    .sort();
  return el(
    'li',
    { class: `event${isFailure(event) ? ' is-error' : ''}`, 'data-event-name': event.name },
    el(
      'span',
      { class: 'event-time mono', title: event.time ?? '' },
      Number.isFinite(ms) ? formatClock(ms) : '–',
    ),
    el('span', { class: 'event-name' }, eventBadge(event.name)),
    el('span', { class: 'event-summary' }, summary(event, attrs)),
    content.length > 0
      ? el(
          'div',
          { class: 'event-content' },
          ...content.map((k) =>
            el(
              'div',
              { class: 'content-item' },
              el('span', { class: 'content-key' }, k),
              contentBlock(contentValue(k)),
            ),
          ),
        )
      : null,
    rest.length > 0
      ? el(
          'details',
          { class: 'event-attrs' },
          el('summary', {}, `${rest.length} attributes`),
          el(
            'table',
            { class: 'kv' },
            el(
              'tbody',
              {},
              ...rest.map((k) =>
                el('tr', {}, el('th', {}, k), el('td', {}, el('pre', {}, display(attrs[k])))),
              ),
            ),
          ),
        )
      : null,
  );
}

function statCard(label: string, value: string): HTMLElement {
  return el(
    'div',
    { class: 'mini-stat' },
    el('span', { class: 'mini-label' }, label),
    el('span', { class: 'mini-value' }, value),
  );
}

function header(session: SessionRow): HTMLElement {
  const n = (v: number | null | undefined): number => (typeof v === 'number' ? v : 0);
  const started = session.started ? Date.parse(session.started) : NaN;
  const ended = session.ended ? Date.parse(session.ended) : NaN;
  return el(
    'div',
    { class: 'session-summary' },
    statCard('Cost', formatUsd(n(session.cost_usd))),
    statCard('Tokens', formatShort(n(session.tokens))),
    statCard('Duration', formatDuration(n(session.duration_s))),
    statCard('Prompts', String(n(session.prompts))),
    statCard('API calls', String(n(session.api_requests))),
    statCard('Tool calls', String(n(session.tool_calls))),
    statCard('Errors', String(n(session.errors))),
    el(
      'dl',
      { class: 'session-meta' },
      ...(
        [
          ['Machine', session.machine],
          ['User', session.user],
          ['Model', session.model],
          ['Started', Number.isFinite(started) ? formatTime(started) : null],
          ['Ended', Number.isFinite(ended) ? formatTime(ended) : null],
        ] as const
      ).flatMap(([k, v]) => [el('dt', {}, k), el('dd', { title: v ?? '' }, v ?? '–')]),
    ),
  );
}

export function sessionPage(ctx: PageContext, id: string): PageView {
  const body = el('div', {}, el('div', { class: 'panel-note' }, 'Loading…'));
  const root = el(
    'div',
    { class: 'session-page' },
    el('a', { href: pageHref(ctx.state, { name: 'sessions' }), class: 'back' }, '← Sessions'),
    el('h1', { class: 'page-title' }, 'Session ', el('span', { class: 'mono' }, id)),
    body,
  );
  const load = latestOnly(
    () => apiGet<SessionDetail>(`/api/v1/sessions/${encodeURIComponent(id)}`),
    (detail) => {
      const prompts = detail.prompts.map((prompt, i) => {
        const first = prompt.events[0];
        const cost = prompt.events.reduce((sum, e) => sum + (e.cost_usd ?? 0), 0);
        return el(
          'section',
          { class: 'prompt', 'data-prompt-id': prompt.prompt_id ?? '' },
          el(
            'header',
            { class: 'prompt-header' },
            el(
              'span',
              { class: 'prompt-title' },
              prompt.prompt_id === null ? 'Outside any prompt' : `Prompt ${i + 1}`,
            ),
            el('span', { class: 'mono muted', title: prompt.prompt_id ?? '' }, prompt.prompt_id ?? ''),
            el(
              'span',
              { class: 'prompt-facts' },
              first?.time ? formatTime(Date.parse(first.time)) : '',
              ` · ${prompt.events.length} events`,
              cost > 0 ? ` · ${formatUsd(cost)}` : '',
            ),
          ),
          el('ol', { class: 'timeline' }, ...prompt.events.map(eventRow)),
        );
      });
      replace(
        body,
        header(detail.session),
        detail.truncated === true
          ? el('p', { class: 'muted' }, 'This session is long: only its first events are listed.')
          : null,
        prompts.length > 0
          ? el('div', { class: 'prompts' }, ...prompts)
          : el('div', { class: 'panel-note' }, 'No events stored for this session.'),
      );
    },
    (error) =>
      replace(
        body,
        errorBox(
          error instanceof ApiError && error.status === 404
            ? `No session ${id} is stored.`
            : String(error instanceof Error ? error.message : error),
        ),
      ),
  );
  load();
  return { root, refresh: load, dispose: () => undefined };
}
