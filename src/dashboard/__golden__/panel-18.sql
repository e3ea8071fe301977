-- panel 18: Code Edit Decisions (Europe/Berlin)
SELECT coalesce(d0, '(none)') AS d0, coalesce(d1, '(none)') AS d1, sum(s) AS value
FROM (
  SELECT (attributes->>'language') AS d0, (attributes->>'decision') AS d1, sum(value) AS s, count(*) AS n
  FROM points WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.code_edit_tool.decision' AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY ALL
)
GROUP BY ALL
ORDER BY 3 DESC, 1, 2;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
