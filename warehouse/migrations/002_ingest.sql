-- pantau warehouse, schema version 2: polite polling state and article dedup (issue 5).
--
-- feeds: a failure score backs off broken feeds. Each failed poll raises it (by 1 for transient faults, by 2 for
-- faults that rarely fix themselves: 4xx, dns, tls, html_not_feed, redirect_loop); a good poll resets it to 0.
-- From a score of 2 on, the feed sits out a growing number of runs (skip_runs, counted down each run) and is not
-- polled before next_poll_at; it is re-enabled by its first good poll.
ALTER TABLE feeds ADD COLUMN IF NOT EXISTS failure_score INTEGER DEFAULT 0;
ALTER TABLE feeds ADD COLUMN IF NOT EXISTS skip_runs INTEGER DEFAULT 0;
ALTER TABLE feeds ADD COLUMN IF NOT EXISTS next_poll_at TIMESTAMPTZ;
ALTER TABLE feeds ADD COLUMN IF NOT EXISTS last_ok_at TIMESTAMPTZ;
ALTER TABLE feeds ADD COLUMN IF NOT EXISTS last_error VARCHAR;

-- feed_fetches: how many HTTP attempts the poll took (retries on timeouts and 5xx) and, for a feed that parsed
-- with errors but still yielded entries (feedparser's `bozo`), the problem.
ALTER TABLE feed_fetches ADD COLUMN IF NOT EXISTS attempts INTEGER DEFAULT 1;
ALTER TABLE feed_fetches ADD COLUMN IF NOT EXISTS problem VARCHAR;

-- articles: a 64-bit simhash of the body (near-duplicate detection) and, for a duplicate (same content hash or a
-- simhash within a few bits of an earlier article: syndicated copies), the article it duplicates. Duplicates
-- keep their row (URL, feed, dates) but get no facts, so nothing is counted twice.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS simhash BIGINT;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS duplicate_of VARCHAR;
