-- panel 24: API Latency (Asia/Kolkata)
WITH quarter AS (
  SELECT model AS series, epoch_us(time) // 900000000 * 900000000 AS t, sum(duration_ms) AS s, count(duration_ms) AS n
  FROM events WHERE time >= make_timestamp(?::BIGINT) AND time < make_timestamp(?::BIGINT) AND name = 'api_request' AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY ALL
),
hourly AS (
  SELECT series, t - (epoch_us((make_timestamp(t) AT TIME ZONE 'UTC') AT TIME ZONE ?::VARCHAR) % 3600000000 + 3600000000) % 3600000000 AS bucket_us, s, n
  FROM quarter
)
SELECT coalesce(series, '(none)') AS series, bucket_us // 1000 AS bucket_ms, sum(s) / sum(n) AS value
FROM hourly
GROUP BY 1, 2
HAVING sum(n) > 0
ORDER BY 1, 2;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com","Asia/Kolkata"]
