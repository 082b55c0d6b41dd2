"""`pantau ui` in a real headless Chromium (Debian's `chromium`, driven by Playwright): what an analyst does — the
overview, a regulation, one of its articles and back, a search, a SQL query — and a `<script>` planted in a stored
article that must not run. Screenshots of the overview and a regulation page go to `test-artifacts/` (not
committed; PANTAU_TEST_ARTIFACTS moves them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from web_server import PLANTED_URL, build_demo_warehouse, serve_ui

from pantau.urls import article_key

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("PANTAU_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))
# As root on a machine without a network: no sandbox, and none of Chromium's background connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory, prefect_harness):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    path = build_demo_warehouse(tmp_path_factory.mktemp("browser"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve_ui(path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="id-ID")
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield base, page, errors
        browser.close()


def test_overview_to_regulation_to_article_and_back(browser_page):
    base, page, errors = browser_page
    page.goto(base + "/")
    assert page.title() == "Ringkasan · pantau"
    assert page.locator("#freshness").inner_text().startswith("Data per")
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    first = page.locator("#new-regulations a.reg").first
    label = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == label and "/regulations/" in page.url
    assert page.locator("#chart rect").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "regulation.png"), full_page=True)
    regulation_url = page.url
    page.locator("#mentions a.art").first.click()
    page.wait_for_load_state()
    assert "/articles/" in page.url
    assert page.locator("#article-body .fact-regulation").count() >= 1
    page.go_back()
    page.wait_for_load_state()
    assert page.url == regulation_url and page.locator("h1").inner_text() == label
    assert errors == []


def test_search_from_the_header_and_a_sql_query(browser_page):
    base, page, errors = browser_page
    page.goto(base + "/regulations")
    page.fill("header input[name=q]", "sampah")
    page.press("header input[name=q]", "Enter")
    page.wait_for_load_state()
    assert "/search?q=sampah" in page.url and page.locator("#hits li a.art").count() >= 1
    page.goto(base + "/sql")
    page.fill("#sql-form textarea", "SELECT type, count(*) AS n FROM regulations GROUP BY type ORDER BY n DESC")
    page.click("#sql-form button")
    page.wait_for_load_state()
    assert page.locator("#sql-result thead th").all_inner_texts() == ["type", "n"]
    assert page.locator("#sql-result tbody tr").count() >= 2
    assert errors == []


def test_a_script_planted_in_an_article_does_not_run(browser_page):
    base, page, errors = browser_page
    planted, _ = article_key(PLANTED_URL)
    page.goto(f"{base}/articles/{planted}")
    page.wait_for_load_state()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title() != "pwned" and "<script>" in page.locator("#article-body").inner_text()
    assert page.locator("#article-body img").count() == 0  # the planted tag is text, not an element
    assert errors == []
