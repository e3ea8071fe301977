-- panel 24: API Latency (Europe/Berlin)
WITH hourly AS (
  SELECT model AS series, epoch_us(date_trunc('hour', time)) AS bucket_us, sum(duration_ms) AS s, count(duration_ms) AS n
  FROM events WHERE time >= make_timestamp(?::BIGINT) AND time < make_timestamp(?::BIGINT) AND name = 'api_request' AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY ALL
)
SELECT coalesce(series, '(none)') AS series, bucket_us // 1000 AS bucket_ms, sum(s) / sum(n) AS value
FROM hourly
GROUP BY 1, 2
HAVING sum(n) > 0
ORDER BY 1, 2;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
