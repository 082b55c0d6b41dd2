-- Issue 13: where a regulation's issuer came from, and the article context it may come from.
ALTER TABLE articles ADD COLUMN dateline VARCHAR;              -- the dateline's place ("GARUT"), before cleaning
ALTER TABLE regulations ADD COLUMN issuer_source VARCHAR;      -- text | context | dateline | feed; NULL: not needed
ALTER TABLE regulations ADD COLUMN issuer_unknown BOOLEAN DEFAULT false;  -- regional, issuer not found
