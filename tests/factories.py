"""Hand-built articles and facts for warehouse and CLI tests."""

from datetime import datetime, timezone

from pantau.types import Article, ArticleFacts, Figure, Mention, Official, Organization, Quote, Regulation
from pantau.urls import article_key


def article(url="https://example.id/berita/1", body="Pergub Jabar No. 158/2021 berlaku.") -> Article:
    article_id, canonical = article_key(url)
    now = datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc)
    return Article(article_id=article_id, url=url, canonical_url=canonical, feed_id=None, guid=url, title="Judul",
                   published_at=now, published_raw="Wed, 01 May 2024 10:00:00 +0700", fetched_at=now, body=body,
                   body_status="full", http_status=200, fetch_error=None, content_hash="h")


def facts(reg_id="peraturan-gubernur/jawa-barat/158/2021") -> ArticleFacts:
    return ArticleFacts(
        regulations=[Regulation(text="Pergub Jabar No. 158/2021", start=0, end=25, type="Peraturan Gubernur",
                                issuer="Jawa Barat", number="158", year=2021, regulation_id=reg_id,
                                label="Peraturan Gubernur Jawa Barat 158/2021")],
        officials=[Official(name="Ridwan Kamil", person_id="ridwan-kamil", office="Gubernur Jawa Barat",
                            office_source="registry", mentions=[Mention("Ridwan Kamil", 30, 42)])],
        organizations=[Organization(name="BPJS Ketenagakerjaan", org_id="bpjs-ketenagakerjaan",
                                    surfaces=["BPJamsostek"], mentions=[Mention("BPJamsostek", 50, 61)])],
        figures=[Figure(text="Rp25,1 triliun", start=70, end=84, value=25_100_000_000_000, unit="IDR")],
        quotes=[Quote(text="Negara hadir", start=90, end=102, speaker="Ridwan Kamil", person_id="ridwan-kamil")],
        extractor_version="test-1",
    )


def demo_settings(directory, base_url: str, db_name: str = "pantau.duckdb"):
    """Settings for a run over the demo site served at `base_url`, writing into `directory`."""
    from pantau.demo.server import feed_urls
    from pantau.settings import FeedConfig, Settings

    settings = Settings()
    settings.warehouse.path = str(directory / db_name)
    settings.alerts.jsonl_path = str(directory / "alerts.jsonl")
    settings.feeds = [FeedConfig(**feed) for feed in feed_urls(base_url)]
    return settings
