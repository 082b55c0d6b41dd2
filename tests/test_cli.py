"""The `pantau` command as a user runs it: a real process, a real DuckDB file."""

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from factories import article, facts

from pantau.warehouse import db, store

PANTAU = str(Path(sys.executable).with_name("pantau"))


def pantau(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "250"}  # rich folds tables at 80 columns when not on a terminal
    return subprocess.run([PANTAU, *args], capture_output=True, text=True, cwd=cwd, input=stdin, timeout=120, env=env)


@pytest.fixture
def warehouse_file(tmp_path) -> Path:
    path = tmp_path / "w.duckdb"
    with db.connect(path) as con:
        store.store_batch(con, "run1", [article()], [facts()])
    return path


def test_sql_formats(warehouse_file):
    query = "SELECT label, year FROM regulations"
    table = pantau("sql", "--db", str(warehouse_file), query)
    assert table.returncode == 0 and "Peraturan Gubernur Jawa Barat 158/2021" in table.stdout
    rows = list(csv.reader(io.StringIO(pantau("sql", "--db", str(warehouse_file), "-f", "csv", query).stdout)))
    assert rows == [["label", "year"], ["Peraturan Gubernur Jawa Barat 158/2021", "2021"]]
    data = json.loads(pantau("sql", "--db", str(warehouse_file), "--format", "json", query).stdout)
    assert data == [{"label": "Peraturan Gubernur Jawa Barat 158/2021", "year": 2021}]


def test_sql_is_read_only_and_errors_are_one_line(warehouse_file, tmp_path):
    denied = pantau("sql", "--db", str(warehouse_file), "DELETE FROM regulations")
    assert denied.returncode == 1 and "read-only" in denied.stderr and "Traceback" not in denied.stderr
    with db.connect(warehouse_file, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM regulations").fetchone()[0] == 1
    typo = pantau("sql", "--db", str(warehouse_file), "SELEC 1")
    assert typo.returncode == 1 and "Traceback" not in typo.stderr and len(typo.stderr.strip().splitlines()) == 1
    missing = pantau("sql", "--db", str(tmp_path / "none.duckdb"), "SELECT 1")
    assert missing.returncode == 1 and "no warehouse at" in missing.stderr


def test_busy_warehouse_is_one_line_naming_the_holder(warehouse_file):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(warehouse_file)!r})
        print("ready", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        for args in (["sql", "SELECT 1"], ["feeds", "add", "https://a.id/rss"], ["alerts", "list"]):
            result = pantau(*args, "--db", str(warehouse_file))
            assert result.returncode == 1, args
            assert f"PID {holder.pid}" in result.stderr and "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_bad_config_is_one_line_with_file_and_line(tmp_path):
    (tmp_path / "pantau.toml").write_text("[http]\nread_timout = 3\n")
    result = pantau("run", cwd=tmp_path)
    assert result.returncode == 1
    assert "pantau.toml:2: unknown key 'read_timout' in [http]" in result.stderr
    assert "Traceback" not in result.stderr


def test_feeds_add_list_remove(tmp_path):
    path = str(tmp_path / "w.duckdb")
    assert pantau("feeds", "add", "https://jabar.antaranews.com/rss/terkini.xml", "--name", "Antara Jabar",
                  "--region", "Jawa Barat", "--db", path).returncode == 0
    listed = pantau("feeds", "list", "--db", path)
    assert "Antara Jabar" in listed.stdout and "Jawa Barat" in listed.stdout
    assert pantau("feeds", "add", "not-a-url", "--db", path).returncode == 1
    assert pantau("feeds", "remove", "https://jabar.antaranews.com/rss/terkini.xml", "--db", path).returncode == 0
    assert pantau("feeds", "remove", "https://nope.id/rss", "--db", path).returncode == 1


@pytest.mark.shared
def test_extract_prints_the_reference_expectation(reference_article):
    from pantau.extractors.expected import compare
    from pantau.extractors.pipeline import extract_text, load_pipeline
    from pantau.types import ArticleFacts

    result = pantau("extract", str(reference_article))
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) >= {"regulations", "officials", "organizations", "figures", "quotes"}
    facts = extract_text(load_pipeline(), reference_article.read_text(encoding="utf-8"))
    assert printed == json.loads(json.dumps(facts.to_json()))  # the CLI prints exactly the pipeline's facts
    expected = json.loads(reference_article.with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert compare(facts, expected) == []
    assert isinstance(facts, ArticleFacts)
    from_stdin = pantau("extract", "-", stdin=reference_article.read_text(encoding="utf-8"))
    assert json.loads(from_stdin.stdout) == printed


def test_extract_with_stanza_missing_says_how_to_get_it(tmp_path):
    try:
        import stanza  # noqa: F401
        pytest.skip("stanza is installed: the missing-engine message does not apply")
    except ImportError:
        pass
    text = tmp_path / "a.txt"
    text.write_text("Gubernur Jawa Barat Ridwan Kamil meresmikan Pergub Jabar No. 158/2021.", encoding="utf-8")
    result = pantau("extract", "--engine", "stanza", str(text))
    assert result.returncode == 1 and "pip install 'pantau[stanza]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_feeds_says_how_to_add_them(tmp_path):
    res = pantau("run", "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert res.returncode == 1
    message = " ".join(res.stderr.split())
    assert "No feeds configured" in message and "pantau feeds add URL" in message
    assert "pantau feeds add-defaults" in message and "Traceback" not in res.stderr


def test_missing_model_is_one_line_and_rules_only_when_asked(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Gubernur Jawa Barat Ridwan Kamil menerbitkan Pergub Jabar Nomor 158 Tahun 2021.", encoding="utf-8")
    missing = pantau("extract", "--model", str(tmp_path / "no-model"), str(article))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    message = " ".join(missing.stderr.split())
    assert f"no spaCy pipeline at {tmp_path / 'no-model'}" in message and "--model rules" in message
    rules = pantau("extract", "--model", "rules", str(article))
    assert rules.returncode == 0, rules.stderr
    printed = json.loads(rules.stdout)
    assert printed["extractor_version"].endswith("+rule-ner")
    assert [r["label"] for r in printed["regulations"]] == ["Peraturan Gubernur Jawa Barat 158/2021"]
