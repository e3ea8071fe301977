-- panel 32: Tool Activity (Europe/Berlin)
WITH hourly AS (
  SELECT tool_name AS series, epoch_us(date_trunc('hour', time)) AS bucket_us, count(*) AS s, count(*) AS n
  FROM events WHERE time >= make_timestamp(?::BIGINT) AND time < make_timestamp(?::BIGINT) AND name = 'tool_result' AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY ALL
)
SELECT coalesce(series, '(none)') AS series, bucket_us // 1000 AS bucket_ms, sum(s) AS value
FROM hourly
GROUP BY 1, 2
ORDER BY 1, 2;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
