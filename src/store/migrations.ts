/**
 * Versioned schema. A migration is applied once, in order, inside a transaction, and recorded in
 * schema_migrations; never edit one that has shipped, add the next instead.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const ORIGIN_COLUMNS = `
  session_id VARCHAR,
  user_id VARCHAR,
  user_email VARCHAR,
  organization_id VARCHAR,
  machine_name VARCHAR,
  service_name VARCHAR,
  service_version VARCHAR,
  terminal_type VARCHAR,
  os_type VARCHAR,
  host_arch VARCHAR`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'points, events and cumulative series state',
    sql: `
CREATE TABLE points (
  key UUID NOT NULL,
  series_key UUID NOT NULL,
  metric VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  monotonic BOOLEAN NOT NULL,
  start_time TIMESTAMP NOT NULL,
  end_time TIMESTAMP NOT NULL,
  value DOUBLE NOT NULL,
  type VARCHAR,
  model VARCHAR,${ORIGIN_COLUMNS},
  scope_name VARCHAR NOT NULL,
  attributes JSON NOT NULL,
  resource JSON NOT NULL
);
CREATE TABLE events (
  key UUID NOT NULL,
  time TIMESTAMP NOT NULL,
  observed_time TIMESTAMP NOT NULL,
  name VARCHAR NOT NULL,
  body VARCHAR,${ORIGIN_COLUMNS},
  prompt_id VARCHAR,
  sequence BIGINT,
  model VARCHAR,
  cost_usd DOUBLE,
  input_tokens BIGINT,
  output_tokens BIGINT,
  cache_read_tokens BIGINT,
  cache_creation_tokens BIGINT,
  duration_ms DOUBLE,
  tool_name VARCHAR,
  success BOOLEAN,
  status_code INTEGER,
  error VARCHAR,
  decision VARCHAR,
  source VARCHAR,
  severity_text VARCHAR,
  scope_name VARCHAR NOT NULL,
  attributes JSON NOT NULL,
  resource JSON NOT NULL
);
-- Last cumulative value seen per series, so cumulative input becomes exact deltas across restarts.
CREATE TABLE cumulative_series (
  series_key UUID PRIMARY KEY,
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  value DOUBLE NOT NULL
);`,
  },
  {
    version: 2,
    name: 'alert states and history',
    sql: `
-- Pending and firing alerts, one row per rule and label set, so \`for\` and firing survive a restart.
CREATE TABLE alert_states (
  rule VARCHAR NOT NULL,
  labels_key VARCHAR NOT NULL,
  labels JSON NOT NULL,
  state VARCHAR NOT NULL,
  active_at TIMESTAMP NOT NULL,
  fired_at TIMESTAMP,
  value DOUBLE NOT NULL,
  PRIMARY KEY (rule, labels_key)
);
-- Every state change, newest read first.
CREATE TABLE alert_history (
  time TIMESTAMP NOT NULL,
  rule VARCHAR NOT NULL,
  labels JSON NOT NULL,
  from_state VARCHAR NOT NULL,
  to_state VARCHAR NOT NULL,
  value DOUBLE NOT NULL
);`,
  },
  {
    version: 3,
    name: 'event attributes kept in their typed columns',
    sql: `
-- Which attributes an event's JSON leaves to their typed columns (bit i: TYPED_EVENT_ATTRIBUTES[i] in
-- src/telemetry/typed-attributes.ts); NULL on rows stored before, whose JSON holds them all.
ALTER TABLE events ADD COLUMN typed_attributes INTEGER;`,
  },
];
