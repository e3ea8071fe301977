/**
 * Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` for every family, families sorted by
 * name, no timestamps (like the Collector's exporter with its default `send_timestamps: false`).
 */

export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type FamilyType = 'counter' | 'gauge' | 'histogram';

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  /** `formatLabels(labels)`, when the caller keeps it already (saves formatting every scrape) */
  readonly labelText?: string;
  readonly value: number;
  /** `_bucket`, `_sum`, `_count` for histogram samples; none for counters and gauges */
  readonly suffix?: '_bucket' | '_sum' | '_count';
}

export interface MetricFamily {
  readonly name: string;
  /** must not be empty: `promtool check metrics` flags a family without help */
  readonly help: string;
  readonly type: FamilyType;
  /** written in this order (callers sort them so the output is stable) */
  readonly samples: readonly Sample[];
  /** sample lines already in text format, written after `samples` */
  readonly lines?: readonly string[];
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  // JavaScript's shortest round-trip form ("0.1", "1e+21", "5e-7") is what Go's ParseFloat reads.
  return String(value);
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="1",b="2"}` with the labels in name order, or "" without labels. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',')}}`;
}

export function renderText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = sample.labelText ?? formatLabels(sample.labels);
      lines.push(`${family.name}${sample.suffix ?? ''}${labels} ${formatValue(sample.value)}`);
    }
    for (const line of family.lines ?? []) lines.push(line);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
