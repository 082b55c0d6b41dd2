-- Issue 16: what happened to a regulation (or a draft), and relations between regulations.
CREATE TABLE drafts (
    draft_id               VARCHAR PRIMARY KEY,   -- from (type, issuer, title): 'rancangan-peraturan-daerah/kota-bandung/parkir'
    type                   VARCHAR NOT NULL,      -- 'Rancangan Peraturan Daerah', 'Rancangan Undang-Undang', …
    issuer                 VARCHAR,
    title                  VARCHAR,
    first_seen_article_id  VARCHAR NOT NULL,
    first_seen_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE regulation_events (
    article_id         VARCHAR NOT NULL,
    start_char         INTEGER NOT NULL,          -- the trigger's span
    end_char           INTEGER NOT NULL,
    event              VARCHAR NOT NULL,          -- drafted | passed | signed | in_force | amended | revoked | annulled | challenged
    regulation_id      VARCHAR,                   -- the numbered regulation; NULL for a draft
    draft_id           VARCHAR,
    trigger            VARCHAR NOT NULL,
    date               DATE,                      -- when the sentence gives one
    actor              VARCHAR,                   -- DPRD X, Mahkamah Agung, Gubernur X …
    modality           VARCHAR NOT NULL,          -- done | planned | negated
    extractor_version  VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char, event)
);

CREATE TABLE regulation_relations (
    article_id            VARCHAR NOT NULL,
    start_char            INTEGER NOT NULL,
    end_char              INTEGER NOT NULL,
    relation              VARCHAR NOT NULL,       -- amends | revokes | implements
    source_regulation_id  VARCHAR NOT NULL,
    target_regulation_id  VARCHAR NOT NULL,
    trigger               VARCHAR NOT NULL,
    extractor_version     VARCHAR NOT NULL,
    PRIMARY KEY (article_id, start_char, relation)
);
