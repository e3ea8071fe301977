-- panel 5: Cost / Hour (Europe/Berlin)
SELECT coalesce(m0 / nullif(?::DOUBLE, 0), 0) AS value
FROM (SELECT coalesce(sum(value), 0) AS m0
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.cost.usage' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g0;
-- params: [8,"1773100800000000n","1773129600000000n","laptop","alice@example.com"]
