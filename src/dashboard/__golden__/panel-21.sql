-- panel 21: Cost by Model (Europe/Berlin)
SELECT coalesce(d0, '(none)') AS d0, sum(s) AS value
FROM (
  SELECT model AS d0, sum(value) AS s, count(*) AS n
  FROM points WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.cost.usage' AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY ALL
)
GROUP BY ALL
ORDER BY 2 DESC, 1;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
