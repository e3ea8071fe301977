-- panel 10: Lines Added (Europe/Berlin)
SELECT m0 AS value
FROM (SELECT coalesce(sum(value), 0) AS m0
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.lines_of_code.count' AND type IN ('added') AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g0;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
