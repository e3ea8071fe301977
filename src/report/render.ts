import type { ReportRow, Summary } from './queries.js';

/** Terminal tables for `ccmon report`. */

export function formatUsd(value: number): string {
  return `$${value.toFixed(value !== 0 && Math.abs(value) < 1 ? 4 : 2)}`;
}

export function formatCount(value: number): string {
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderSummary(s: Summary): string {
  const tokens = s.tokens.input + s.tokens.output + s.tokens.cacheRead + s.tokens.cacheCreation;
  const rows: [string, string][] = [
    ['Cost', formatUsd(s.cost_usd)],
    [
      'Tokens',
      `${formatCount(tokens)} (input ${formatCount(s.tokens.input)}, output ${formatCount(s.tokens.output)}, cache read ${formatCount(s.tokens.cacheRead)}, cache creation ${formatCount(s.tokens.cacheCreation)})`,
    ],
    ['Sessions', formatCount(s.sessions)],
    [
      'Active time',
      `${formatDuration(s.active_time_seconds.cli + s.active_time_seconds.user)} (cli ${formatDuration(s.active_time_seconds.cli)}, user ${formatDuration(s.active_time_seconds.user)})`,
    ],
    ['Lines', `+${formatCount(s.lines.added)} / -${formatCount(s.lines.removed)}`],
    ['Commits', formatCount(s.commits)],
    ['Pull requests', formatCount(s.pull_requests)],
    [
      'Code edits',
      `${formatCount(s.code_edit_decisions.accept)} accepted, ${formatCount(s.code_edit_decisions.reject)} rejected`,
    ],
    [
      'Events',
      Object.entries(s.events)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none',
    ],
  ];
  return `Claude Code usage from ${s.from} to ${s.to}\n\n${table(['', ''], rows).split('\n').slice(2).join('\n')}`;
}

export function renderRows(rows: readonly ReportRow[], keyTitle: string): string {
  if (rows.length === 0) return 'No data in this range.';
  const columns = Object.keys(rows[0] ?? {});
  const cell = (column: string, value: string | number | null): string => {
    if (value === null) return '';
    if (typeof value === 'number') return column === 'cost_usd' ? formatUsd(value) : formatCount(value);
    return value;
  };
  return table(
    columns.map((c) => (c === 'key' ? keyTitle : c)),
    rows.map((r) => columns.map((c) => cell(c, r[c] ?? null))),
  );
}
