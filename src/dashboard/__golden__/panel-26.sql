-- panel 26: Recent Tool Executions (Europe/Berlin)
SELECT epoch_us(time) AS "time_us", tool_name AS "tool_name", success AS "success", duration_ms AS "duration_ms", session_id AS "session", machine_name AS "machine"
FROM events
WHERE time >= make_timestamp(?::BIGINT) AND time < make_timestamp(?::BIGINT) AND name = 'tool_result' AND machine_name = ? AND coalesce(user_email, user_id) = ?
ORDER BY events.time DESC, events.sequence DESC NULLS LAST
LIMIT 100;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
