const NOW_NS = BigInt(Date.now()) * 1_000_000n;

/**
 * An OTLP/JSON metrics export of Claude Code with one delta point of `metric` for `sessionId`, over the
 * minute that ends at `endNs`, plus any `extraMetrics` as they are.
 */
export function deltaSumRequest(
  metric: { readonly name: string; readonly unit?: string },
  sessionId: string,
  value: { readonly asDouble: number } | { readonly asInt: string },
  endNs: bigint,
  extraMetrics: readonly object[] = [],
): object {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code' },
            metrics: [
              {
                ...metric,
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      attributes: [{ key: 'session.id', value: { stringValue: sessionId } }],
                      startTimeUnixNano: String(endNs - 60_000_000_000n),
                      timeUnixNano: String(endNs),
                      ...value,
                    },
                  ],
                },
              },
              ...extraMetrics,
            ],
          },
        ],
      },
    ],
  };
}

/**
 * An OTLP/JSON metrics export for tests of the receivers: one delta cost point of `value` USD for
 * `sessionId`, ending a minute (less `endOffsetS`) ago, and one histogram point, which ccmon refuses as
 * a partial success (Claude Code sends no histograms).
 */
export function costRequest(sessionId: string, value: number, endOffsetS = 0): object {
  const end = NOW_NS - BigInt(60 - endOffsetS) * 1_000_000_000n;
  return deltaSumRequest(
    { name: 'claude_code.cost.usage', unit: 'USD' },
    sessionId,
    { asDouble: value },
    end,
    [
      {
        name: 'some.histogram',
        histogram: { aggregationTemporality: 1, dataPoints: [{ count: '1', timeUnixNano: String(end) }] },
      },
    ],
  );
}
