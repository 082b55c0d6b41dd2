-- pantau warehouse, schema version 3: the summary views of the common questions, alert delivery retry state.
--
-- Nothing here counts an article twice: issue 5 marks a re-published copy with `articles.duplicate_of` (the
-- article it duplicates); everything reads `unique_articles`, which leaves those copies out. The column is added
-- here too (IF NOT EXISTS) so this works whichever migration brought it.

ALTER TABLE articles ADD COLUMN IF NOT EXISTS duplicate_of VARCHAR;

-- Outbox retry state: when the last attempt started, when the next one is due (backoff after a failure).
-- `status` gains 'sending': written (and committed) before a channel is called, so a crash between sending and
-- recording leaves a row that is sent again with the same `alert_id` (receivers deduplicate on it).
ALTER TABLE alert_deliveries ADD COLUMN IF NOT EXISTS last_attempt_at TIMESTAMPTZ;
ALTER TABLE alert_deliveries ADD COLUMN IF NOT EXISTS next_attempt_at TIMESTAMPTZ;

-- Articles that are not a copy of another article: the base of every summary.
CREATE OR REPLACE VIEW unique_articles AS
SELECT * FROM articles WHERE duplicate_of IS NULL;

-- The summary views (materialized as tables) are defined once, in warehouse/views.sql: `warehouse.db.migrate`
-- builds them after applying any migration, and every run rebuilds them, so a definition change needs no migration.
