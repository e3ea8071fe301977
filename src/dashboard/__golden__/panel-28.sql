-- panel 28: Cache Hit Rate (Europe/Berlin)
SELECT (coalesce(m0 / nullif(m1, 0), 0) * 100) AS value
FROM (SELECT coalesce(sum(value) FILTER (WHERE type IN ('cacheRead')), 0) AS m0,
  coalesce(sum(value) FILTER (WHERE type IN ('input', 'cacheRead')), 0) AS m1
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.token.usage' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g0;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
