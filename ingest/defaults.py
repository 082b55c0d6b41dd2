"""The default feed list: real West Java regional outlets, added by `pantau feeds add-defaults`.

The URLs are the outlets' public RSS addresses as commonly listed; they were written down without internet access,
so none is verified here. A feed that has moved fails cleanly with a status (`http_4xx`, `dns`, `html_not_feed`, …)
shown by `pantau feeds status`, and backs off until it recovers; fix its URL with `pantau feeds remove` + `add`.
"""

from __future__ import annotations

from pantau.settings import FeedConfig

REGION = "Jawa Barat"

DEFAULT_FEEDS: tuple[FeedConfig, ...] = (
    FeedConfig("https://jabar.antaranews.com/rss/terkini.xml", "Antara Jabar", REGION),
    FeedConfig("https://www.pikiran-rakyat.com/rss", "Pikiran Rakyat", REGION),
    FeedConfig("https://jabar.tribunnews.com/rss", "Tribun Jabar", REGION),
    FeedConfig("https://www.detik.com/jabar/rss", "detikJabar", REGION),
    FeedConfig("https://pasundanekspres.id/feed", "Pasundan Ekspres", REGION),
    FeedConfig("https://jabarekspres.com/feed", "Jabar Ekspres", REGION),
    FeedConfig("https://www.ayobandung.com/rss", "AyoBandung", REGION),
    FeedConfig("https://prfmnews.pikiran-rakyat.com/rss", "PRFM News", REGION),
    FeedConfig("https://www.radarbogor.id/feed", "Radar Bogor", REGION),
    FeedConfig("https://radarcirebon.disway.id/rss", "Radar Cirebon", REGION),
)
