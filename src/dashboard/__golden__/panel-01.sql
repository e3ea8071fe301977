-- panel 1: Billing Cycle Cost (Europe/Berlin)
SELECT m0 AS value
FROM (SELECT coalesce(sum(value), 0) AS m0
  FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.cost.usage' AND machine_name = ? AND coalesce(user_email, user_id) = ?) AS g0;
-- params: ["1773097200000000n","1773133200000000n","laptop","alice@example.com"]
