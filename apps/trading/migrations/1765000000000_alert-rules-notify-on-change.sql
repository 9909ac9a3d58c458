-- Up Migration
-- Announce a rule's change only when its state changes: the evaluator's
-- commit sets `active` on every firing of a repeating rule (with its re-arm
-- time), and a trigger "UPDATE OF active" fired on each of those rows, one
-- notification per firing that every instance parsed and ignored.
DROP TRIGGER alert_rules_notify ON alert_rules;
CREATE TRIGGER alert_rules_notify
  AFTER INSERT OR DELETE ON alert_rules
  FOR EACH ROW EXECUTE FUNCTION freeride_notify_rule_change();
CREATE TRIGGER alert_rules_notify_update
  AFTER UPDATE OF active, deleted_at ON alert_rules
  FOR EACH ROW
  WHEN (OLD.active IS DISTINCT FROM NEW.active OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
  EXECUTE FUNCTION freeride_notify_rule_change();

-- Down Migration
DROP TRIGGER alert_rules_notify_update ON alert_rules;
DROP TRIGGER alert_rules_notify ON alert_rules;
CREATE TRIGGER alert_rules_notify
  AFTER INSERT OR DELETE OR UPDATE OF active, deleted_at ON alert_rules
  FOR EACH ROW EXECUTE FUNCTION freeride_notify_rule_change();
