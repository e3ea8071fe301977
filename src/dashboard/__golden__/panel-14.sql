-- panel 14: Active Users (Europe/Berlin)
SELECT m0 AS value
FROM (SELECT count(*) AS m0 FROM (
  SELECT coalesce(user_email, user_id) AS k FROM points
  WHERE end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT) AND metric = 'claude_code.cost.usage' AND coalesce(user_email, user_id) IS NOT NULL AND machine_name = ? AND coalesce(user_email, user_id) = ?
  GROUP BY 1 HAVING sum(value) > 0
)) AS g0;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
