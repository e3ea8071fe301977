/** Prometheus' HTTP query API, for tests that evaluate generated PromQL on a real Prometheus. */

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MatrixSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, number])[];
}

interface ApiAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

async function call(base: string, path: string, form: Record<string, string>): Promise<ApiAnswer['data']> {
  // POST, because the generated queries are several kilobytes long.
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const answer = (await response.json()) as ApiAnswer;
  if (answer.status !== 'success')
    throw new Error(`Prometheus: ${answer.error ?? response.status}\n${form.query}`);
  return answer.data;
}

/** An instant query at `timeS` (seconds): its vector (a scalar result as one sample without labels). */
export async function instantQuery(base: string, query: string, timeS: number): Promise<VectorSample[]> {
  const data = await call(base, '/api/v1/query', { query, time: String(timeS) });
  if (data?.resultType === 'scalar') {
    const [, v] = data.result as [number, string];
    return [{ metric: {}, value: Number(v) }];
  }
  return (data?.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
    metric: r.metric,
    value: Number(r.value[1]),
  }));
}

export async function rangeQuery(
  base: string,
  query: string,
  startS: number,
  endS: number,
  stepS: number,
): Promise<MatrixSeries[]> {
  const data = await call(base, '/api/v1/query_range', {
    query,
    start: String(startS),
    end: String(endS),
    step: String(stepS),
  });
  return (data?.result as { metric: Record<string, string>; values: [number, string][] }[]).map((r) => ({
    metric: r.metric,
    values: r.values.map(([t, v]) => [t, Number(v)] as const),
  }));
}

/**
 * Waits for a successful scrape of `job` that started at or after `afterMs`, so everything committed
 * before then is in Prometheus; returns that scrape's time (ms).
 */
export async function scrapeAfter(
  base: string,
  job: string,
  afterMs: number,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // timestamp() gives the sample's time only for a plain selector (for `up == 1` it gives "now").
    const query = `timestamp(up{job="${job}"}) and up{job="${job}"} == 1`;
    const [sample] = await instantQuery(base, query, Date.now() / 1000).catch(() => []);
    if (sample !== undefined && sample.value * 1000 >= afterMs) return Math.round(sample.value * 1000);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no successful scrape of ${job} after ${new Date(afterMs).toISOString()}`);
}
