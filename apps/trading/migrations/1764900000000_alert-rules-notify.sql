-- Up Migration
-- Every instance of the trading app keeps its rule book in memory: a rule
-- created, deleted or deactivated through one instance is announced to the
-- others on the channel freeride_rules (payload: {"id": ..., "active": ...}).
CREATE FUNCTION freeride_notify_rule_change() RETURNS trigger AS $$
DECLARE
  rule alert_rules;
BEGIN
  IF TG_OP = 'DELETE' THEN
    rule := OLD;
    PERFORM pg_notify('freeride_rules', json_build_object('id', rule.id, 'active', false)::text);
  ELSE
    rule := NEW;
    PERFORM pg_notify(
      'freeride_rules',
      json_build_object('id', rule.id, 'active', rule.active AND rule.deleted_at IS NULL)::text
    );
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER alert_rules_notify
  AFTER INSERT OR DELETE OR UPDATE OF active, deleted_at ON alert_rules
  FOR EACH ROW EXECUTE FUNCTION freeride_notify_rule_change();

-- Down Migration
DROP TRIGGER alert_rules_notify ON alert_rules;
DROP FUNCTION freeride_notify_rule_change();
