-- pantau warehouse, schema version 1.
-- Public tables (the SQL interface, documented in README "Querying the warehouse"):
--   feeds, feed_fetches, runs, articles, regulations, regulation_mentions, people, person_mentions,
--   organizations, organization_mentions, figures, quotes, alerts, alert_deliveries.
-- Ids are stable (derived from URLs, names, regulation fields) so that re-running never duplicates rows.

CREATE TABLE feeds (
    feed_id         VARCHAR PRIMARY KEY,      -- hash of the feed URL
    url             VARCHAR NOT NULL UNIQUE,
    name            VARCHAR,
    region          VARCHAR,
    source          VARCHAR NOT NULL,         -- 'config' | 'cli'
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    added_at        TIMESTAMPTZ NOT NULL,
    etag            VARCHAR,                  -- conditional GET state
    last_modified   VARCHAR,
    body_hash       VARCHAR,
    last_status     VARCHAR,
    last_fetched_at TIMESTAMPTZ,
    failures_in_row INTEGER NOT NULL DEFAULT 0
);

CREATE SEQUENCE feed_fetch_seq;
CREATE TABLE feed_fetches (
    fetch_id      BIGINT PRIMARY KEY DEFAULT nextval('feed_fetch_seq'),
    run_id        VARCHAR NOT NULL,
    feed_id       VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    status        VARCHAR NOT NULL,           -- ok | not_modified | http_4xx | http_5xx | timeout | dns | tls |
                                              -- too_large | redirect_loop | parse_error | html_not_feed | empty | error
    http_status   INTEGER,
    elapsed_ms    DOUBLE,
    entries       INTEGER NOT NULL DEFAULT 0,
    new_articles  INTEGER NOT NULL DEFAULT 0,
    error         VARCHAR
);

CREATE TABLE runs (
    run_id             VARCHAR PRIMARY KEY,
    started_at         TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ,
    status             VARCHAR NOT NULL,      -- running | completed | failed
    feeds_polled       INTEGER,
    feeds_failed       INTEGER,
    articles_new       INTEGER,
    articles_failed    INTEGER,
    regulation_mentions INTEGER,
    person_mentions    INTEGER,
    organization_mentions INTEGER,
    alerts_raised      INTEGER,
    extractor_version  VARCHAR,
    error              VARCHAR
);

CREATE TABLE articles (
    article_id         VARCHAR PRIMARY KEY,   -- hash of the canonical URL
    url                VARCHAR NOT NULL,
    canonical_url      VARCHAR NOT NULL UNIQUE,
    feed_id            VARCHAR,
    guid               VARCHAR,
    title              VARCHAR,
    published_at       TIMESTAMPTZ,           -- UTC; fetched time when the feed gives none
    published_raw      VARCHAR,               -- the date string as the feed wrote it
    fetched_at         TIMESTAMPTZ NOT NULL,
    body               VARCHAR,               -- boilerplate-free text the extractors saw
    body_status        VARCHAR NOT NULL,      -- full | feed_content | summary_only | failed
    http_status        INTEGER,
    fetch_error        VARCHAR,
    fetch_attempts     INTEGER NOT NULL DEFAULT 1,
    content_hash       VARCHAR,
    extractor_version  VARCHAR,
    extracted_at       TIMESTAMPTZ,
    first_run_id       VARCHAR NOT NULL
);

CREATE TABLE regulations (
    regulation_id          VARCHAR PRIMARY KEY, -- from (type, issuer, number, year)
    label                  VARCHAR NOT NULL,    -- 'Peraturan Gubernur Jawa Barat 158/2021'
    type                   VARCHAR NOT NULL,
    issuer                 VARCHAR,
    number                 VARCHAR,
    year                   INTEGER,
    title                  VARCHAR,
    date                   DATE,
    first_seen_article_id  VARCHAR NOT NULL,
    first_seen_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE regulation_mentions (
    article_id         VARCHAR NOT NULL,
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL,
    surface            VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,      -- citation (numbered) | reference (no number)
    regulation_id      VARCHAR,               -- the numbered regulation; for a reference, the one it refers to
    type               VARCHAR,
    issuer             VARCHAR,
    number             VARCHAR,
    year               INTEGER,
    title              VARCHAR,
    date               DATE,
    method             VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char)
);

CREATE TABLE people (
    person_id  VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    source     VARCHAR NOT NULL               -- registry | text
);

CREATE TABLE person_mentions (
    article_id         VARCHAR NOT NULL,
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL,
    surface            VARCHAR NOT NULL,
    person_id          VARCHAR NOT NULL,
    office             VARCHAR,
    office_source      VARCHAR,               -- text | registry
    method             VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char)
);

CREATE TABLE organizations (
    org_id  VARCHAR PRIMARY KEY,
    name    VARCHAR NOT NULL,
    source  VARCHAR NOT NULL                  -- registry | text
);

CREATE TABLE organization_mentions (
    article_id         VARCHAR NOT NULL,
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL,
    surface            VARCHAR NOT NULL,
    org_id             VARCHAR NOT NULL,
    method             VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char)
);

CREATE TABLE figures (
    article_id         VARCHAR NOT NULL,
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL,
    surface            VARCHAR NOT NULL,
    value              DOUBLE NOT NULL,
    unit               VARCHAR NOT NULL,
    as_of              VARCHAR,
    extractor_version  VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char)
);

CREATE TABLE quotes (
    article_id         VARCHAR NOT NULL,
    start_char         INTEGER NOT NULL,
    end_char           INTEGER NOT NULL,
    text               VARCHAR NOT NULL,
    speaker            VARCHAR,
    person_id          VARCHAR,
    extractor_version  VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char)
);

-- Alerts are an outbox: one row per (rule, subject), one delivery row per channel; a delivered row is never sent again.
CREATE TABLE alerts (
    alert_id      VARCHAR PRIMARY KEY,        -- idempotency key: hash of (rule, subject)
    rule          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    subject_id    VARCHAR NOT NULL,           -- e.g. the regulation_id
    article_id    VARCHAR,
    title         VARCHAR NOT NULL,
    payload       JSON NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR
);

CREATE TABLE alert_deliveries (
    alert_id      VARCHAR NOT NULL,
    channel       VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,           -- pending | delivered | failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    VARCHAR,
    delivered_at  TIMESTAMPTZ,
    PRIMARY KEY (alert_id, channel)
);
