import type { ReadDb, Row } from '../store/database.js';
import type { PanelData, PanelParams } from './panel-data.js';
import { compileScalars } from './sql-scalar.js';
import { compilePanel, HOUR_MS } from './sql.js';
import { isoFromMicros } from './rows.js';
import type { Dimension, LogColumn, Panel } from './types.js';

/** A panel's numbers for the given range, zone, billing day and filters: one SQL statement. */
export async function queryPanel(db: ReadDb, panel: Panel, params: PanelParams): Promise<PanelData> {
  const compiled = compilePanel(panel, params);
  const rows = await db.all(compiled.sql.text, compiled.sql.params);
  switch (compiled.shape) {
    case 'scalar':
      return { kind: 'scalar', value: finite(rows[0]?.value) };
    case 'breakdown':
      return { kind: 'breakdown', by: compiled.by, rows: rows.map((r) => breakdownRow(r, compiled.by)) };
    case 'series':
      return { kind: 'series', bucketMs: HOUR_MS, series: toSeries(rows) };
    case 'log':
      return { kind: 'log', columns: compiled.columns, rows: rows.map((r) => logRow(r, compiled.columns)) };
  }
}

/**
 * Several panels at once, as the API serves a section: all stat and gauge panels in ONE statement
 * (they share their scans), the others one statement each. Same numbers as queryPanel.
 */
export async function queryPanels(
  db: ReadDb,
  panels: readonly Panel[],
  params: PanelParams,
): Promise<Map<number, PanelData>> {
  const out = new Map<number, PanelData>();
  const scalars = panels.flatMap((panel) =>
    panel.query.shape === 'scalar' ? [{ id: panel.id, expr: panel.query.expr, column: `p${panel.id}` }] : [],
  );
  if (scalars.length > 1) {
    const statement = compileScalars(scalars, params);
    const [row] = await db.all(statement.text, statement.params);
    for (const s of scalars) out.set(s.id, { kind: 'scalar', value: finite(row?.[s.column]) });
  }
  for (const panel of panels) {
    if (!out.has(panel.id)) out.set(panel.id, await queryPanel(db, panel, params));
  }
  return out;
}

/** Numbers as JSON can carry them: bigint counts become numbers, and NaN / Infinity never leave. */
export function finite(value: unknown): number {
  const n =
    typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function breakdownRow(
  row: Row,
  by: readonly Dimension[],
): { labels: Partial<Record<Dimension, string>>; value: number } {
  const labels: Partial<Record<Dimension, string>> = {};
  by.forEach((dimension, i) => {
    labels[dimension] = String(row[`d${i}`]);
  });
  return { labels, value: finite(row.value) };
}

function toSeries(rows: readonly Row[]): { name: string; points: [number, number][] }[] {
  const series: { name: string; points: [number, number][] }[] = [];
  for (const row of rows) {
    const name = String(row.series);
    let current = series[series.length - 1];
    if (current === undefined || current.name !== name) {
      current = { name, points: [] };
      series.push(current);
    }
    current.points.push([finite(row.bucket_ms), finite(row.value)]);
  }
  return series;
}

function logRow(
  row: Row,
  columns: readonly LogColumn[],
): Partial<Record<LogColumn, string | number | boolean | null>> {
  const out: Partial<Record<LogColumn, string | number | boolean | null>> = {};
  for (const column of columns) {
    const value = row[column === 'time' ? 'time_us' : column];
    if (column === 'time') out.time = isoFromMicros(value);
    else if (value === null || value === undefined) out[column] = null;
    else if (typeof value === 'bigint') out[column] = Number(value);
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
      out[column] = value;
    else out[column] = String(value);
  }
  return out;
}
