-- Up Migration
-- The tick's price of a firing (its `value` is an indicator value or a move
-- for some conditions); NULL for sentiment firings and rows before this column.
ALTER TABLE alert_triggers ADD COLUMN price float8;

-- Down Migration
ALTER TABLE alert_triggers DROP COLUMN price;
