const NOW_NS = BigInt(Date.now()) * 1_000_000n;

/**
 * An OTLP/JSON metrics export for tests of the receivers: one delta cost point of `value` USD for
 * `sessionId`, ending a minute (less `endOffsetS`) ago, and one histogram point, which ccmon refuses as
 * a partial success (Claude Code sends no histograms).
 */
export function costRequest(sessionId: string, value: number, endOffsetS = 0): object {
  const end = NOW_NS - BigInt(60 - endOffsetS) * 1_000_000_000n;
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code' },
            metrics: [
              {
                name: 'claude_code.cost.usage',
                unit: 'USD',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      attributes: [{ key: 'session.id', value: { stringValue: sessionId } }],
                      startTimeUnixNano: String(end - 60_000_000_000n),
                      timeUnixNano: String(end),
                      asDouble: value,
                    },
                  ],
                },
              },
              {
                name: 'some.histogram',
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [{ count: '1', timeUnixNano: String(end) }],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}
