-- Up Migration
CREATE TABLE traders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  -- SHA-256 (hex) of the API key: the key itself is shown once and never stored.
  api_key_hash text NOT NULL UNIQUE,
  -- HMAC key of the trader's webhooks; readable because signing needs it.
  webhook_secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trader_id uuid NOT NULL REFERENCES traders (id) ON DELETE CASCADE,
  name text,
  symbol text NOT NULL,
  condition jsonb NOT NULL,
  trigger jsonb NOT NULL,
  delivery jsonb NOT NULL,
  expires_at timestamptz,
  active boolean NOT NULL DEFAULT true,
  -- fired | expired | deleted
  deactivated_reason text,
  -- Tick time (epoch ms) at which a rule in cooldown or waiting for its next bar re-arms.
  rearm_at bigint,
  fire_count integer NOT NULL DEFAULT 0,
  last_fired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX alert_rules_trader_idx ON alert_rules (trader_id, created_at DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX alert_rules_active_idx ON alert_rules (symbol) WHERE active;

-- One row per firing of a rule on a tick; its delivery status lives on the same row.
CREATE TABLE alert_triggers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- <ruleId>:<symbol>@<tick ms>: a replayed tick cannot fire the same rule twice.
  idempotency_key text NOT NULL UNIQUE,
  rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  symbol text NOT NULL,
  value double precision NOT NULL,
  tick_as_of timestamptz NOT NULL,
  stream_id text,
  traceparent text,
  fired_at timestamptz NOT NULL DEFAULT now(),
  -- pending | retrying | delivered | dead
  delivery_status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_triggers_rule_idx ON alert_triggers (rule_id, fired_at DESC);
CREATE INDEX alert_triggers_undelivered_idx ON alert_triggers (fired_at)
  WHERE delivery_status = 'pending';

-- Last quote-stream entry whose effects are committed: the evaluator resumes after it.
CREATE TABLE evaluator_checkpoints (
  stream text PRIMARY KEY,
  last_id text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE evaluator_checkpoints;
DROP TABLE alert_triggers;
DROP TABLE alert_rules;
DROP TABLE traders;
