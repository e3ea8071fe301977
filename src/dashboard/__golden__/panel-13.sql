-- panel 13: Lines per Dollar (Europe/Berlin)
SELECT coalesce((m0 - m1) / nullif(m2, 0), 0) AS value
FROM (SELECT coalesce(sum(value) FILTER (WHERE type IN ('added')), 0) AS m0,
  coalesce(sum(value) FILTER (WHERE type IN ('removed')), 0) AS m1
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.lines_of_code.count' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g0
CROSS JOIN (SELECT coalesce(sum(value), 0) AS m2
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.cost.usage' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g1;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com","1773100800000000n","1773129600000000n","laptop","alice@example.com"]
