import type { DuckDBValue } from '@duckdb/node-api';

/**
 * A piece of SQL with its `?` parameters in text order. Fragments compose with the `sql` tag, so a
 * parameter can never end up out of step with its placeholder, and user input never enters the text.
 */
export interface Sql {
  readonly text: string;
  readonly params: readonly DuckDBValue[];
}

export type SqlPart = Sql | string;

/**
 * Tagged template: `${fragment}` splices a fragment (with its parameters), `${'text'}` splices trusted
 * text written in this code base (column names, definition constants already quoted with `literal`).
 */
export function sql(strings: TemplateStringsArray, ...parts: readonly SqlPart[]): Sql {
  let text = strings[0] ?? '';
  const params: DuckDBValue[] = [];
  parts.forEach((part, i) => {
    if (typeof part === 'string') text += part;
    else {
      text += part.text;
      params.push(...part.params);
    }
    text += strings[i + 1] ?? '';
  });
  return { text, params };
}

/** One placeholder bound to a value. */
export function param(value: DuckDBValue, cast?: 'BIGINT' | 'DOUBLE' | 'VARCHAR'): Sql {
  return { text: cast === undefined ? '?' : `?::${cast}`, params: [value] };
}

export function joinSql(parts: readonly SqlPart[], separator: string): Sql {
  const text: string[] = [];
  const params: DuckDBValue[] = [];
  for (const part of parts) {
    if (typeof part === 'string') text.push(part);
    else {
      text.push(part.text);
      params.push(...part.params);
    }
  }
  return { text: text.join(separator), params };
}

/**
 * A string constant of the dashboard definition (metric names, token types) as an SQL literal. Inlined
 * rather than bound so the generated SQL reads like the definition and the planner sees constants;
 * only ever called with values typed in the definition, never with request input.
 */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A numeric constant of the definition; refuses what SQL could not read back as the same number. */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return Number.isSafeInteger(value) ? `${value}` : `${value}::DOUBLE`;
}

/** Microseconds since the epoch as a bound BIGINT (a JS bigint alone binds as HUGEINT). */
export function timestampParam(ms: number): Sql {
  return { text: 'make_timestamp(?::BIGINT)', params: [BigInt(Math.round(ms * 1000))] };
}
