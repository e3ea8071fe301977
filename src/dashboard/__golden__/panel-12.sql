-- panel 12: Net Lines (Europe/Berlin)
SELECT (m0 - m1) AS value
FROM (SELECT coalesce(sum(value) FILTER (WHERE type IN ('added')), 0) AS m0,
  coalesce(sum(value) FILTER (WHERE type IN ('removed')), 0) AS m1
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.lines_of_code.count' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g0;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
