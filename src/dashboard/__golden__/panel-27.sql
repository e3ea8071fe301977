-- panel 27: Event Log (Europe/Berlin)
SELECT epoch_us(time) AS "time_us", name AS "name", model AS "model", tool_name AS "tool_name", cost_usd AS "cost_usd", duration_ms AS "duration_ms", session_id AS "session", coalesce(user_email, user_id) AS "user", machine_name AS "machine"
FROM events
WHERE time >= make_timestamp(?::BIGINT) AND time < make_timestamp(?::BIGINT) AND machine_name = ? AND coalesce(user_email, user_id) = ?
ORDER BY events.time DESC, events.sequence DESC NULLS LAST
LIMIT 200;
-- params: ["1773100800000000n","1773129600000000n","laptop","alice@example.com"]
