"""`pantau ui` over real HTTP: every page and the JSON API on the demo warehouse, the SQL console's limits, escaping
of untrusted article text, and the security headers."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from web_server import PLANTED_URL, build_demo_warehouse, serve_ui

from pantau.urls import article_key
from pantau.warehouse import snapshot


@pytest.fixture(scope="module")
def site(tmp_path_factory, prefect_harness):
    path = build_demo_warehouse(tmp_path_factory.mktemp("web"))
    reader = snapshot.SnapshotReader(path)
    cur = reader.cursor()
    ids = {
        "regulation": cur.execute("SELECT regulation_id FROM regulations WHERE regulation_id LIKE '%/%' "
                                  "ORDER BY first_seen_at LIMIT 1").fetchone()[0],
        "article": cur.execute("SELECT first_seen_article_id FROM regulations ORDER BY first_seen_at LIMIT 1")
        .fetchone()[0],
        "person": cur.execute("SELECT person_id FROM person_mentions GROUP BY ALL ORDER BY count(*) DESC LIMIT 1")
        .fetchone()[0],
        "organization": cur.execute("SELECT org_id FROM organization_mentions GROUP BY ALL ORDER BY count(*) DESC "
                                    "LIMIT 1").fetchone()[0],
    }
    reader.close()
    with serve_ui(path, console_rows=100, console_timeout=1.0) as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client, ids, path


def get(client: httpx.Client, path: str, status: int = 200) -> httpx.Response:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    return response


PAGES = ["/", "/?since=2020-01-01", "/regulations", "/regulations?sort=label&dir=asc", "/regulations?type=Peraturan+Gubernur",
         "/regulations?issuer=Jawa+Barat&year=2024", "/regulations?since=2025-01-01&page=1", "/people",
         "/people?sort=name&dir=asc&q=a", "/organizations", "/organizations?sort=articles", "/search?q=sampah",
         "/search?q=", "/sql", "/sql?q=SELECT+1", "/feeds", "/feeds?sort=name&dir=asc&page=1", "/search?q=sampah&page=2", "/alerts",
         "/alerts?since=2020-01-01&sort=rule"]


@pytest.mark.parametrize("path", PAGES)
def test_every_list_page_answers_in_indonesian(site, path):
    client, _, _ = site
    text = get(client, path).text
    assert '<html lang="id">' in text and "Data per" in text  # and how fresh the data is


def test_overview_shows_new_regulations_alerts_and_feed_health(site):
    client, ids, _ = site
    text = get(client, "/?since=2020-01-01").text
    assert f'href="/regulations/{ids["regulation"]}"' in text
    assert "Peringatan sejak 1 Januari 2020" in text and "new-regulation" in text
    assert "parse_error: 1" in text  # the demo's broken feed, at a glance


def test_regulation_page_has_fields_chart_mentions_in_context_and_quotes(site):
    client, ids, _ = site
    text = get(client, f"/regulations/{ids['regulation']}").text
    assert '<svg id="chart"' in text and "<rect" in text
    assert "<mark>" in text and f'href="/articles/{ids["article"]}"' in text
    assert "Pertama terlihat" in text


def test_detail_pages_and_not_found(site):
    client, ids, _ = site
    assert 'id="article-body"' in get(client, f"/articles/{ids['article']}").text
    assert "fact-regulation" in get(client, f"/articles/{ids['article']}").text
    assert 'id="offices"' in get(client, f"/people/{ids['person']}").text
    assert 'id="figures"' in get(client, f"/organizations/{ids['organization']}").text
    for path in ("/regulations/tidak-ada", "/articles/nope", "/people/nope", "/organizations/nope"):
        assert "Tidak ditemukan" in get(client, path, 404).text
    assert "since must be a date" in get(client, "/?since=kemarin", 400).text


def test_lists_sort_and_paginate(site):
    client, _, _ = site
    asc = client.get("/api/regulations", params={"sort": "label", "dir": "asc", "limit": 1000}).json()
    labels = [r["label"] for r in asc]
    assert labels == sorted(labels) and len(labels) > 3
    first = client.get("/api/regulations", params={"sort": "label", "dir": "asc", "limit": 2, "page": 1}).json()
    second = client.get("/api/regulations", params={"sort": "label", "dir": "asc", "limit": 2, "page": 2}).json()
    assert [r["label"] for r in first + second] == labels[:4]
    text = get(client, "/regulations?sort=label").text
    assert 'class="sort on desc"' in text and "dir=asc" in text  # clicking the header again flips the order


def test_json_api(site):
    client, ids, _ = site
    regulations = get(client, "/api/regulations").json()
    assert {"regulation_id", "label", "type", "issuer", "first_seen_at"} <= set(regulations[0])
    assert int(client.get("/api/regulations").headers["X-Total-Count"]) == len(regulations)
    one = get(client, f"/api/regulations/{ids['regulation']}").json()
    assert one["regulation_id"] == ids["regulation"] and one["mentions"] and one["months"]
    assert get(client, "/api/regulations/tidak-ada", 404).json() == {"error": "no regulation 'tidak-ada'"}
    alerts = get(client, "/api/alerts").json()
    assert alerts and all({"alert_id", "rule", "title", "created_at", "deliveries"} <= set(a) for a in alerts)
    assert get(client, "/api/alerts?since=2999-01-01").json() == []
    hits = get(client, "/api/search?q=sampah").json()
    assert hits and {"article_id", "title", "snippet", "score"} <= set(hits[0])


def test_sql_console_is_read_only_bounded_and_downloads_csv(site):
    client, _, _ = site
    refused = {
        "CREATE TABLE x (i INTEGER)": "read-only",
        "DELETE FROM regulations": "read-only",
        "SELECT * FROM read_csv('/etc/passwd')": "disabled",
        "COPY regulations TO '/tmp/pantau-leak.csv'": "disabled",
        "ATTACH '/tmp/other.duckdb' AS other": "disabled",
        "SET enable_external_access = true": "",
        "SELECT count(*) FROM range(1000000000000) a": "longer than 1 s",
        "SELEC 1": "Parser Error",
    }
    for query, words in refused.items():
        text = client.get("/sql", params={"q": query}).text
        assert 'id="sql-error"' in text and words in text, (query, text[-800:])
    assert get(client, "/regulations").status_code == 200  # still answering after all that
    text = client.get("/sql", params={"q": "SELECT * FROM range(5000)"}).text
    assert text.count("<tr>") == 101 and "dipotong pada 100" in text  # header + the row limit
    response = client.get("/sql.csv", params={"q": "SELECT label, year FROM regulations ORDER BY label"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["label", "year"] and len(rows) > 3
    assert client.get("/sql.csv", params={"q": "DROP TABLE runs"}).status_code == 400


def test_untrusted_article_text_is_escaped_and_scripts_are_forbidden(site):
    client, _, _ = site
    planted, _ = article_key(PLANTED_URL)
    response = get(client, f"/articles/{planted}")
    assert "&lt;script&gt;document.title" in response.text and "<script>document" not in response.text
    assert "&lt;img src=x onerror" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    # the SQL console escapes what it shows too
    text = client.get("/sql", params={"q": "SELECT body FROM articles WHERE body LIKE '%<script>%'"}).text
    assert "&lt;script&gt;" in text and "<script>document" not in text


def test_a_warehouse_without_snapshot_gets_one_and_a_busy_one_says_why(site, tmp_path):
    import shutil
    import subprocess
    import sys
    import textwrap

    from pantau.warehouse.db import WarehouseBusy

    _, _, path = site
    old = tmp_path / "old.duckdb"  # as a warehouse from before snapshots existed
    shutil.copyfile(path, old)
    assert not snapshot.snapshot_path(old).exists()
    cur = snapshot.SnapshotReader(old).cursor()  # published on first use (the writer lock is free)
    assert cur.execute("SELECT count(*) FROM regulations").fetchone()[0] > 3
    locked = tmp_path / "locked.duckdb"
    shutil.copyfile(path, locked)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(locked)!r})
        print("ready", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseBusy, match="no read snapshot .* yet.*publishes one when it ends"):
            snapshot.ensure(locked)
    finally:
        holder.kill()
        holder.wait()
