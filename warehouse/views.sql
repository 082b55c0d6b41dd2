-- pantau summary views: the answers to the common questions, materialized as tables.
--
-- `warehouse.queries.refresh_views` runs this file in one transaction after every run (and after
-- `pantau sql --write`), so they reflect the warehouse as of the last write, and reading them stays fast on
-- millions of mentions (bench/warehouse_queries.py). Every statement reads `unique_articles`: an article marked
-- as a copy of another (`articles.duplicate_of`) is never counted twice.

-- Regulations in order of first mention (in a unique article), with how widely they were mentioned since.
CREATE OR REPLACE TABLE regulation_first_mentions AS
WITH m AS (
    SELECT m.regulation_id, m.article_id, a.published_at, a.title AS article_title, a.url AS article_url,
           m.surface, m.start_char
    FROM regulation_mentions m JOIN unique_articles a USING (article_id)
    WHERE m.regulation_id IS NOT NULL
), agg AS (
    SELECT regulation_id,
           min(published_at) AS first_mentioned_at,
           max(published_at) AS last_mentioned_at,
           count(DISTINCT article_id) AS articles,
           count(*) AS mentions,
           arg_min(article_id, (published_at, article_id, start_char)) AS first_article_id,
           arg_min(article_title, (published_at, article_id, start_char)) AS first_article_title,
           arg_min(article_url, (published_at, article_id, start_char)) AS first_article_url,
           arg_min(surface, (published_at, article_id, start_char)) AS first_surface
    FROM m GROUP BY regulation_id
)
SELECT r.regulation_id, r.label, r.type, r.issuer, r.number, r.year, r.title,
       agg.first_mentioned_at, agg.first_article_id, agg.first_article_title, agg.first_article_url,
       agg.first_surface, agg.last_mentioned_at, agg.articles, agg.mentions
FROM regulations r JOIN agg USING (regulation_id)
ORDER BY agg.first_mentioned_at, r.regulation_id;

-- Mentions per regulation per month of publication (citations and numberless references that resolve to it).
CREATE OR REPLACE TABLE regulation_mentions_by_month AS
WITH per_month AS (
    SELECT m.regulation_id,
           CAST(date_trunc('month', a.published_at AT TIME ZONE 'UTC') AS DATE) AS month,
           count(DISTINCT m.article_id) AS articles,
           count(*) AS mentions,
           count(*) FILTER (WHERE m.kind = 'citation') AS citations,
           count(*) FILTER (WHERE m.kind = 'reference') AS numberless_references
    FROM regulation_mentions m JOIN unique_articles a USING (article_id)
    WHERE m.regulation_id IS NOT NULL
    GROUP BY ALL
)
SELECT p.regulation_id, r.label, p.month, p.articles, p.mentions, p.citations, p.numberless_references
FROM per_month p JOIN regulations r USING (regulation_id)
ORDER BY p.regulation_id, p.month;

-- Each official with each office they were reported in, and when (first/last article date).
CREATE OR REPLACE TABLE official_offices AS
WITH per_office AS (
    SELECT m.person_id, m.office,
           min(a.published_at) AS first_seen_at,
           max(a.published_at) AS last_seen_at,
           count(DISTINCT m.article_id) AS articles,
           count(*) AS mentions
    FROM person_mentions m JOIN unique_articles a USING (article_id)
    WHERE m.office IS NOT NULL
    GROUP BY ALL
)
SELECT o.person_id, p.name, o.office, o.first_seen_at, o.last_seen_at, o.articles, o.mentions
FROM per_office o JOIN people p USING (person_id)
ORDER BY p.name, o.first_seen_at;

-- Organizations: in how many articles and mentions, first and last seen.
CREATE OR REPLACE TABLE organization_activity AS
WITH per_org AS (
    SELECT m.org_id, min(a.published_at) AS first_seen_at, max(a.published_at) AS last_seen_at,
           count(DISTINCT m.article_id) AS articles, count(*) AS mentions,
           list(DISTINCT m.surface ORDER BY m.surface)[1:10] AS surfaces
    FROM organization_mentions m JOIN unique_articles a USING (article_id)
    GROUP BY m.org_id
)
SELECT p.org_id, o.name, p.articles, p.mentions, p.first_seen_at, p.last_seen_at, p.surfaces
FROM per_org p JOIN organizations o USING (org_id)
ORDER BY p.articles DESC, p.mentions DESC, o.name;

-- Who is quoted about which regulation: each quotation with the regulation mentioned nearest to it in the same
-- article (`chars_apart` is the gap between the two spans: 0 when the quote itself names the regulation).
CREATE OR REPLACE TABLE regulation_quotes AS
WITH reg AS (
    SELECT article_id, start_char, end_char, regulation_id FROM regulation_mentions WHERE regulation_id IS NOT NULL
), before AS (  -- the nearest mention starting at or before the quote
    SELECT q.article_id, q.start_char, m.regulation_id, greatest(0, q.start_char - m.end_char) AS gap
    FROM quotes q ASOF JOIN reg m ON q.article_id = m.article_id AND q.start_char >= m.start_char
), after AS (  -- the nearest mention starting after the quote starts (inside it: gap 0)
    SELECT q.article_id, q.start_char, m.regulation_id, greatest(0, m.start_char - q.end_char) AS gap
    FROM quotes q ASOF JOIN reg m ON q.article_id = m.article_id AND q.start_char < m.start_char
), nearest AS (
    SELECT article_id, start_char, arg_min(regulation_id, (gap, regulation_id)) AS regulation_id,
           min(gap) AS chars_apart
    FROM (SELECT * FROM before UNION ALL SELECT * FROM after) GROUP BY article_id, start_char
), office AS (
    SELECT article_id, person_id, any_value(office) AS office FROM person_mentions
    WHERE office IS NOT NULL GROUP BY ALL
)
SELECT n.regulation_id, r.label, coalesce(p.name, q.speaker) AS speaker, q.person_id, o.office,
       q.text AS quote, n.chars_apart, a.published_at, q.article_id, a.title AS article_title, a.url AS article_url
FROM nearest n
JOIN quotes q USING (article_id, start_char)
JOIN unique_articles a USING (article_id)
JOIN regulations r USING (regulation_id)
LEFT JOIN people p ON p.person_id = q.person_id
LEFT JOIN office o ON o.article_id = q.article_id AND o.person_id = q.person_id
ORDER BY n.regulation_id, a.published_at, q.article_id, q.start_char;

-- Figures by organization: each figure attributed to the organization mentioned nearest to it in its article
-- (once, so summing `value` per organization and unit does not double-count).
CREATE OR REPLACE TABLE organization_figures AS
WITH before AS (
    SELECT f.article_id, f.start_char, o.org_id, greatest(0, f.start_char - o.end_char) AS gap
    FROM figures f ASOF JOIN organization_mentions o ON f.article_id = o.article_id AND f.start_char >= o.start_char
), after AS (
    SELECT f.article_id, f.start_char, o.org_id, greatest(0, o.start_char - f.end_char) AS gap
    FROM figures f ASOF JOIN organization_mentions o ON f.article_id = o.article_id AND f.start_char < o.start_char
), nearest AS (
    SELECT article_id, start_char, arg_min(org_id, (gap, org_id)) AS org_id, min(gap) AS chars_apart
    FROM (SELECT * FROM before UNION ALL SELECT * FROM after) GROUP BY article_id, start_char
)
SELECT n.org_id, o.name AS organization, f.surface, f.value, f.unit, f.as_of, n.chars_apart,
       a.published_at, f.article_id, a.title AS article_title, a.url AS article_url
FROM nearest n
JOIN figures f USING (article_id, start_char)
JOIN unique_articles a USING (article_id)
JOIN organizations o USING (org_id)
ORDER BY n.org_id, a.published_at, f.article_id, f.start_char;

-- What happened to each regulation (and draft), as reported: a row per regulation and event, from the first
-- article that reported it as done (planned and negated events are left out). A draft whose title and issuer match
-- a numbered regulation is shown on that regulation.
CREATE OR REPLACE TABLE regulation_timeline AS
WITH linked AS (
    SELECT d.draft_id, any_value(r.regulation_id ORDER BY r.first_seen_at) AS regulation_id
    FROM drafts d JOIN regulations r
      ON d.title IS NOT NULL AND lower(r.title) = lower(d.title) AND (d.issuer IS NULL OR r.issuer = d.issuer)
    GROUP BY d.draft_id
), e AS (
    SELECT coalesce(e.regulation_id, l.regulation_id) AS regulation_id, e.draft_id, e.event, e.date, e.actor,
           e.trigger, e.article_id, a.published_at, a.title AS article_title
    FROM regulation_events e JOIN unique_articles a USING (article_id) LEFT JOIN linked l USING (draft_id)
    WHERE e.modality = 'done'
)
SELECT regulation_id, draft_id, event,
       min(published_at) AS first_reported_at,
       arg_min(article_id, (published_at, article_id)) AS first_article_id,
       arg_min(article_title, (published_at, article_id)) AS first_article_title,
       arg_min(trigger, (published_at, article_id)) AS trigger,
       min(date) AS date,
       arg_min(actor, (published_at, article_id)) FILTER (WHERE actor IS NOT NULL) AS actor,
       count(DISTINCT article_id) AS articles
FROM e GROUP BY regulation_id, draft_id, event
ORDER BY regulation_id, draft_id, first_reported_at, event;
