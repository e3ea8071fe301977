-- panel 20: Token Rate (per hour) (Europe/Berlin)
WITH hourly AS (
  SELECT type AS series, epoch_us(date_trunc('hour', end_time)) AS bucket_us, sum(value) AS s, count(*) AS n
  FROM points WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.token.usage' AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY ALL
)
SELECT coalesce(series, '(none)') AS series, bucket_us // 1000 AS bucket_ms, sum(s) AS value
FROM hourly
GROUP BY 1, 2
ORDER BY 1, 2;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
