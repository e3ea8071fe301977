-- panel 15: Avg Session Length (Europe/Berlin)
SELECT coalesce(m0 / nullif(m1, 0), 0) AS value
FROM (SELECT coalesce(sum(value), 0) AS m0
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.active_time.total' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g0
CROSS JOIN (SELECT coalesce(sum(value), 0) AS m1
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.session.count' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g1;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com","1773100800000000n","1773129600000000n","laptop","alice@example.com"]
