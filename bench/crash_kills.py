"""Kill `pantau run` with SIGKILL at random points, run it again, and check that nothing was lost or repeated.

    .venv/bin/python bench/crash_kills.py [--kills 10] [--seed N] [--per-kill 25] [--phase PHASE --delay S]

A loopback news site serves the demo feeds and corpus feeds (articles read in place from ../shared/corpus, never
copied); before each kill it publishes a new slice of corpus articles, so every killed run has polling, fetching,
extraction, storing, delivery and rebuilding to do. Alerts go to a JSONL file and to a real webhook receiver that
answers slowly, and is down (503) during some killed runs. Each kill is aimed at one phase of the run: the harness
reads the run's log (every step logs as it starts), waits for that phase's line, sleeps a random part of the
phase's typical length and SIGKILLs the run's whole process group. Then a clean run, and the checks:

- articles: every published page stored once, with its facts (extracted), none twice;
- facts: no mention, figure or quote row twice;
- alerts: every regulation has its `new_regulation` alert and every article matching the watchlist its
  `watchlist` alert, exactly once each;
- deliveries: every (alert, channel) `delivered`; both receivers have every alert (deduplicated on the alert id;
  a copy sent again after a kill mid-send is counted);
- derived: the summary views and the full-text index agree with the tables (`queries.derived_drift`);
- runs: the killed run is `interrupted`, the clean run `completed` and says it finished the killed run's work.

The phases are visited in a seeded random order, then at random; the seed is printed. Issue 17's operator test is
`--kills 1 --per-kill 1000 --corpus ../shared/corpus/detik-2025.csv --phase poll --delay 45`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
CORPORA = (SHARED / "corpus" / "news-2025-06.csv", SHARED / "corpus" / "detik-2025.csv")
PANTAU = str(Path(sys.executable).with_name("pantau"))

# phase → (the log line that starts it, seconds a kill may land after that line)
PHASES = {
    "poll": (r"polling \d+ feeds", 0.8),
    "fetch": (r"fetching \d+ new article pages", 1.5),
    "extract": (r"extracting batch \d+", 1.0),
    "store": (r"storing \d+ articles", 0.15),
    "deliver": (r"delivering the pending alert deliveries", 1.5),
    "views": (r"rebuilding the summary views", 0.08),
    "search": (r"rebuilding the full-text index", 0.2),
}
REGULATION_WORDS = re.compile(r"\b(Perda|Pergub|Perbup|Perwal|Peraturan|Undang-Undang|UU|PP|Perpres|Permen\w*|"
                              r"Keputusan|Instruksi|Surat Edaran|Qanun|Inpres|Keppres)\b")
WATCH = {"regulation_type": "Peraturan Daerah"}  # depends only on the article's own facts
FEEDS = 6  # corpus feeds; article i is in feed i % FEEDS
FEED_DELAY = 0.15  # seconds a corpus feed takes to answer (polling lasts a moment)


# --- the site -------------------------------------------------------------------------------------------------

@dataclass
class CorpusArticle:
    key: str
    title: str
    text: str


def read_corpus(paths: list[Path], n: int, rng: random.Random) -> list[CorpusArticle]:
    """`n` articles of the corpora, mostly ones citing regulations (so alerts are at stake), in a seeded order."""
    csv.field_size_limit(1 << 30)
    rows = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = row.get("text") or row.get("isi_berita") or ""
                title = row.get("title") or row.get("judul") or ""
                if len(text) > 300 and title:
                    rows.append(CorpusArticle(f"{path.stem}-{row['id']}", title, text))
    citing = [r for r in rows if REGULATION_WORDS.search(r.text)]
    other = [r for r in rows if not REGULATION_WORDS.search(r.text)]
    rng.shuffle(citing), rng.shuffle(other)
    chosen = citing[: (n * 4) // 5] + other[: n - min(len(citing), (n * 4) // 5)]
    rng.shuffle(chosen)
    return chosen[:n]


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in re.split(r"\n+", text) if p.strip()]
    if len(parts) < 3:  # scraped text in one block: paragraphs of three sentences
        sentences = re.split(r"(?<=[.!?])\s+", text)
        parts = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    return "".join(f"<p>{escape(p)}</p>" for p in parts)


class CorpusSite:
    """Feeds and article pages of corpus articles on 127.0.0.1; `publish(n)` makes the next n appear."""

    def __init__(self, articles: list[CorpusArticle]) -> None:
        self.articles = articles
        self.published = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                status, ctype, body = site.respond(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the run was killed mid-request
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, n: int) -> list[str]:
        start, self.published = self.published, min(len(self.articles), self.published + n)
        return [self.url(i) for i in range(start, self.published)]

    def url(self, i: int) -> str:
        return f"{self.base}/berita/{self.articles[i].key}.html"

    def feed_urls(self) -> list[str]:
        return [f"{self.base}/feed/{k}.xml" for k in range(FEEDS)]

    def respond(self, path: str) -> tuple[int, str, bytes]:
        if match := re.fullmatch(r"/feed/(\d+)\.xml", path):
            time.sleep(FEED_DELAY)
            k = int(match.group(1))
            items = "".join(
                f"<item><title>{escape(self.articles[i].title)}</title><link>{self.url(i)}</link>"
                f"<guid>{self.url(i)}</guid><pubDate>Mon, 02 Jun 2025 {i // 60 % 24:02d}:{i % 60:02d}:00 +0700</pubDate>"
                f"</item>" for i in range(self.published - 1, -1, -1) if i % FEEDS == k)
            body = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Korpus {k}</title>'
                    f"<link>{self.base}/</link>{items}</channel></rss>")
            return 200, "application/rss+xml; charset=utf-8", body.encode()
        keys = {a.key: i for i, a in enumerate(self.articles[: self.published])}
        if (match := re.fullmatch(r"/berita/(.+)\.html", path)) and match.group(1) in keys:
            a = self.articles[keys[match.group(1)]]
            body = (f"<!doctype html><html lang=id><head><meta charset=utf-8><title>{escape(a.title)}</title></head>"
                    f"<body><nav>Beranda | Daerah</nav><article><h1>{escape(a.title)}</h1>{_paragraphs(a.text)}"
                    f"</article><footer>Hak cipta</footer></body></html>")
            return 200, "text/html; charset=utf-8", body.encode()
        return 404, "text/plain", b"not found"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- runs -----------------------------------------------------------------------------------------------------

@dataclass
class Kill:
    target: str  # the phase aimed at
    delay: float  # seconds after its log line
    reached: str = "startup"  # the last phase the run logged before it died
    killed: bool = False  # False: it finished before the kill
    seconds: float = 0.0
    stored: int = 0  # articles the killed run had committed


def write_config(workdir: Path, webhook_url: str, feeds: list[dict]) -> Path:
    feed_lines = "".join(f"\n[[feeds]]\nurl = {json.dumps(f['url'])}\nname = {json.dumps(f['name'])}\n"
                         + (f"region = {json.dumps(f['region'])}\n" if f.get("region") else "") for f in feeds)
    config = workdir / "pantau.toml"
    config.write_text(f"""
[warehouse]
path = "{workdir / 'crash.duckdb'}"

[http]
politeness_delay = 0
per_host_concurrency = 4
read_timeout = 10

[extraction]
batch_size = 5

[alerts]
jsonl_path = "{workdir / 'alerts.jsonl'}"

[alerts.webhook]
url = "{webhook_url}"
timeout = 5

[alerts.retry]
base_seconds = 0

[[alerts.rules]]
name = "regulasi-baru"
channels = ["jsonl", "webhook"]

[[alerts.rules]]
name = "pantau-perda"
kind = "watchlist"
regulation_type = "{WATCH['regulation_type']}"
channels = ["jsonl", "webhook"]
{feed_lines}""", encoding="utf-8")
    return config


def run_killed(command: list[str], env: dict[str, str], kill: Kill, timeout: float = 600) -> Kill:
    """Start a run, SIGKILL its process group `kill.delay` s after the target phase's log line."""
    started = time.monotonic()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    target = re.compile(PHASES[kill.target][0])
    marks = {name: re.compile(line) for name, (line, _) in PHASES.items()}
    marks["summary"] = re.compile(r"Flow run .* - Finished in state")  # the flow is done; the CLI prints
    fire = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            for name, mark in marks.items():
                if mark.search(line):
                    kill.reached = name
            if target.search(line):
                fire.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not fire.wait(0.05):
        if proc.poll() is not None or time.monotonic() - started > timeout:
            break
    if fire.is_set():
        time.sleep(kill.delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        kill.killed = True
    proc.wait(timeout=60)
    reader.join(timeout=10)
    kill.seconds = time.monotonic() - started
    return kill


def run_clean(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, start_new_session=True)


# --- the checks -----------------------------------------------------------------------------------------------

FACT_TABLES = {"regulation_mentions": "article_id, start_char, end_char, kind",
               "person_mentions": "article_id, start_char, end_char", "organization_mentions": "article_id, start_char, end_char",
               "figures": "article_id, start_char, end_char", "quotes": "article_id, start_char, end_char"}


def check(db_path: Path, published: set[str], jsonl: Path, webhook_accepted: set[str], killed_run: str | None,
          clean: subprocess.CompletedProcess) -> list[str]:
    """The invariants after a kill and a clean run; returns what is violated (empty: all hold)."""
    from pantau.warehouse import db
    from pantau.warehouse.alerts import watchlist_payloads
    from pantau.warehouse.queries import derived_drift

    wrong = []
    if clean.returncode != 0:
        return [f"the clean run failed ({clean.returncode}): {clean.stderr[-1500:]}"]
    with db.connect(db_path, read_only=True) as con:
        def one(sql: str, params: list | None = None):
            return con.execute(sql, params or []).fetchone()[0]

        stored = dict(con.execute("SELECT url, count(*) FROM articles GROUP BY url").fetchall())
        if twice := [u for u, n in stored.items() if n > 1]:
            wrong.append(f"articles stored twice: {twice[:3]}")
        if missing := sorted(published - set(stored)):
            wrong.append(f"{len(missing)} published articles not stored: {missing[:3]}")
        unextracted = one("SELECT count(*) FROM articles WHERE body_status = 'full' AND extracted_at IS NULL "
                          "AND duplicate_of IS NULL")  # a copy of another article is not extracted
        if unextracted:
            wrong.append(f"{unextracted} stored articles never extracted")
        for table, key in FACT_TABLES.items():
            if n := one(f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}"):
                wrong.append(f"{n} duplicate rows in {table}")

        regulations = {r for (r,) in con.execute("SELECT regulation_id FROM regulations").fetchall()}
        alerts = con.execute("SELECT alert_id, rule, subject_id FROM alerts").fetchall()
        per_rule = Counter((rule, subject) for _, rule, subject in alerts)
        if repeated := [k for k, n in per_rule.items() if n > 1]:
            wrong.append(f"subjects alerted twice: {repeated[:3]}")
        alerted = {subject for (rule, subject) in per_rule if rule == "regulasi-baru"}
        if unalerted := regulations - alerted:
            wrong.append(f"{len(unalerted)} regulations without their alert: {sorted(unalerted)[:3]}")
        if stray := alerted - regulations:
            wrong.append(f"{len(stray)} alerts about regulations not stored: {sorted(stray)[:3]}")
        matching = {p["article_id"] for p in watchlist_payloads(con, "", WATCH)}
        watched = {subject for (rule, subject) in per_rule if rule == "pantau-perda"}
        if matching != watched:
            wrong.append(f"watchlist: {len(matching - watched)} matching articles without an alert, "
                         f"{len(watched - matching)} alerts for articles that do not match")

        deliveries = dict(con.execute("SELECT status, count(*) FROM alert_deliveries GROUP BY ALL").fetchall())
        if set(deliveries) - {"delivered"}:
            wrong.append(f"deliveries not converged: {deliveries}")
        if n := one("SELECT count(*) FROM alerts a WHERE (SELECT count(*) FROM alert_deliveries d "
                    "WHERE d.alert_id = a.alert_id) <> 2"):
            wrong.append(f"{n} alerts without one delivery row per channel")
        ids = {a for a, _, _ in alerts}
        in_file = {json.loads(line)["alert_id"] for line in jsonl.read_text(encoding="utf-8").splitlines()} \
            if jsonl.exists() else set()
        if ids - in_file:
            wrong.append(f"{len(ids - in_file)} alerts missing from the JSONL file")
        if ids - webhook_accepted:
            wrong.append(f"{len(ids - webhook_accepted)} alerts never accepted by the webhook")

        if drift := {name: n for name, n in derived_drift(con).items() if n}:
            wrong.append(f"derived tables disagree with the facts: {drift}")

        runs = con.execute("SELECT run_id, status, coalesce(finishes, []) FROM runs ORDER BY started_at").fetchall()
        if [r for r in runs if r[1] not in ("completed", "interrupted")]:
            wrong.append(f"runs neither completed nor interrupted: {runs}")
        last_id, last_status, finishes = runs[-1]
        if last_status != "completed":
            wrong.append(f"the clean run is {last_status}")
        if killed_run:
            status = next(s for r, s, _ in runs if r == killed_run)
            if status != "interrupted" or killed_run not in finishes:
                wrong.append(f"killed run {killed_run} is {status}; the clean run finishes {finishes}")
            if f"finished the work of interrupted run {killed_run}" not in clean.stdout:
                wrong.append("the clean run did not say it finished the killed run's work")
    return wrong


def newest_run(db_path: Path) -> tuple[str, str, int] | None:
    """(run_id, status, articles it stored) of the newest run."""
    from pantau.warehouse import db

    if not db_path.exists():
        return None
    with db.connect(db_path, read_only=True) as con:
        return con.execute("""SELECT run_id, status, (SELECT count(*) FROM articles WHERE first_run_id = run_id)
                              FROM runs ORDER BY started_at DESC LIMIT 1""").fetchone()


# --- the harness ----------------------------------------------------------------------------------------------

@dataclass
class Report:
    seed: int
    kills: list[Kill] = field(default_factory=list)
    violations: list[tuple[int, str]] = field(default_factory=list)  # (kill number, what)
    articles: int = 0
    regulations: int = 0
    alerts: int = 0
    resent: int = 0  # webhook requests repeating an alert already accepted (a kill between send and record)
    seconds: float = 0.0

    def table(self) -> str:
        lines = [f"seed {self.seed}: {len(self.kills)} kills, {self.articles} articles, {self.regulations} "
                 f"regulations, {self.alerts} alerts, {self.resent} webhook re-sends, {self.seconds:.0f} s"]
        lines.append(f"{'#':>3} {'aimed at':<9} {'delay':>6} {'died in':<9} {'after':>7} {'stored':>6}  checks")
        for i, k in enumerate(self.kills, 1):
            bad = [v for n, v in self.violations if n == i]
            outcome = "all hold" if not bad else "; ".join(bad)
            died = k.reached if k.killed else "(ended)"
            lines.append(f"{i:>3} {k.target:<9} {k.delay:>5.2f}s {died:<9} {k.seconds:>6.1f}s {k.stored:>6}  {outcome}")
        return "\n".join(lines)


def plan(rng: random.Random, kills: int, phase: str | None, delay: float | None) -> list[Kill]:
    order = list(PHASES)
    rng.shuffle(order)
    targets = [phase] * kills if phase else [order[i] if i < len(order) else rng.choice(order) for i in range(kills)]
    return [Kill(t, delay if delay is not None else round(rng.uniform(0, PHASES[t][1]), 3)) for t in targets]


@contextmanager
def receivers() -> Iterator[object]:
    from tests.alert_receivers import start_webhook_receiver

    receiver, server = start_webhook_receiver()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def run_harness(workdir: Path, kills: int = 10, seed: int | None = None, per_kill: int = 25,
                corpora: list[Path] | None = None, phase: str | None = None, delay: float | None = None,
                env: dict[str, str] | None = None, log=print) -> Report:
    """`kills` kill-and-rerun pairs over the demo site and the corpus site; see the module docstring."""
    from pantau.demo.server import feed_urls, serve_demo

    seed = seed if seed is not None else random.SystemRandom().randrange(1 << 31)
    rng = random.Random(seed)
    log(f"crash harness: seed {seed} (rerun with --seed {seed})")
    report = Report(seed=seed)
    started = time.monotonic()
    articles = read_corpus(corpora or list(CORPORA), kills * per_kill, rng)
    site = CorpusSite(articles)
    env = {**(env or os.environ), "PREFECT_LOGGING_LEVEL": "INFO", "COLUMNS": "200"}
    try:
        with serve_demo() as demo_base, receivers() as receiver:
            feeds = feed_urls(demo_base) + [{"url": u, "name": f"Korpus {k}"} for k, u in enumerate(site.feed_urls())]
            config = write_config(workdir, receiver.url, feeds)
            command = [PANTAU, "run", "--config", str(config)]
            db_path = workdir / "crash.duckdb"
            published: set[str] = set()
            for number, kill in enumerate(plan(rng, kills, phase, delay), 1):
                published.update(site.publish(per_kill))
                receiver.delay = 0.05  # slow enough for a kill to land while delivering
                receiver.fail_next = 10**9 if number % 3 == 2 else 0  # down during every third killed run
                before = newest_run(db_path)
                run_killed(command, env, kill)
                after = newest_run(db_path)
                # a run killed after it recorded its end (printing its summary) has no work left to finish
                killed_run = after[0] if after and after != before and after[1] == "running" else None
                kill.stored = after[2] if killed_run else 0
                receiver.fail_next, receiver.delay = 0, 0.0
                clean = run_clean(command, env)
                accepted = set(receiver.accepted)
                for problem in check(db_path, published, workdir / "alerts.jsonl", accepted, killed_run, clean):
                    report.violations.append((number, problem))
                report.kills.append(kill)
                log(report.table().splitlines()[-1])
            from pantau.warehouse import db

            with db.connect(db_path, read_only=True) as con:
                report.articles, report.regulations, report.alerts = con.execute(
                    "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM regulations), "
                    "(SELECT count(*) FROM alerts)").fetchone()
            accepted = Counter(r["headers"].get("idempotency-key") for r in receiver.requests if r["status"] == 200)
            report.resent = sum(accepted.values()) - len(accepted)
    finally:
        site.close()
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--per-kill", type=int, default=25, help="corpus articles published before each kill")
    parser.add_argument("--corpus", type=Path, action="append", help="corpus CSV (default: both in ../shared)")
    parser.add_argument("--phase", choices=list(PHASES), help="aim every kill at this phase")
    parser.add_argument("--delay", type=float, help="seconds after the phase starts (default: random)")
    parser.add_argument("--workdir", type=Path, help="keep the warehouse, config and alerts here (default: a "
                                                     "temporary folder)")
    args = parser.parse_args(argv)
    corpora = args.corpus or list(CORPORA)
    if missing := [p for p in corpora if not p.exists()]:
        parser.error(f"corpus not found: {missing[0]} (the shared data folder beside the repository)")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with tempfile.TemporaryDirectory(prefix="pantau-crash-") as tmp:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            tmp = str(args.workdir)
        env = dict(os.environ)
        if "PREFECT_API_URL" not in env:  # one Prefect server for every run (else each run starts its own)
            from prefect.testing.utilities import prefect_test_harness

            with prefect_test_harness(server_startup_timeout=120):
                from prefect.settings import PREFECT_API_URL

                report = run_harness(Path(tmp), args.kills, args.seed, args.per_kill, corpora, args.phase,
                                     args.delay, env={**env, "PREFECT_API_URL": PREFECT_API_URL.value()})
        else:
            report = run_harness(Path(tmp), args.kills, args.seed, args.per_kill, corpora, args.phase, args.delay,
                                 env=env)
    print(report.table())
    return 1 if report.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
