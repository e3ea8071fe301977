-- panel 31: Tool Usage (Europe/Berlin)
SELECT coalesce(d0, '(none)') AS d0, sum(s) AS value
FROM (
  SELECT tool_name AS d0, count(*) AS s, count(*) AS n
  FROM events WHERE time >= make_timestamp(?::BIGINT) AND time < make_timestamp(?::BIGINT) AND name = 'tool_result' AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY ALL
)
GROUP BY ALL
ORDER BY 2 DESC, 1;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
