"""pantau as a user installs it: a wheel built from this checkout, installed into a new virtual environment, run
from a folder outside the checkout. Its model and registries must come from the package, and it must install one
import root only."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from pantau.extractors.expected import compare

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, timeout: int = 600, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "250", **env}
    full_env.pop("PYTHONPATH", None)
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv with the wheel installed (dependencies from the package index or pip's cache)."""
    root = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(root / "dist"), str(REPO)],
                 cwd=root)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (root / "dist").glob("pantau-*.whl")
    venv.create(root / "venv", with_pip=True)
    bin_dir = root / "venv" / "bin"
    done = _run([str(bin_dir / "pip"), "install", "--quiet", str(wheel)], cwd=root, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return bin_dir


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_one_import_root(installed, outside):
    site = _run([str(installed / "python"), "-c", "import pantau.flows, pantau.models, sys; "
                 "print(pantau.flows.__file__); print(pantau.models.__file__)"], cwd=outside)
    assert site.returncode == 0, site.stderr
    assert all("site-packages/pantau/" in line for line in site.stdout.split())
    for name in ("flows", "warehouse", "extractors", "ingest", "alerts", "demo", "training", "models", "web"):
        res = _run([str(installed / "python"), "-c", f"import {name}"], cwd=outside)
        assert res.returncode != 0 and "ModuleNotFoundError" in res.stderr, name


@pytest.mark.shared
def test_extract_reference_from_the_wheel(installed, outside, reference_article):
    res = _run([str(installed / "pantau"), "extract", str(reference_article)], cwd=outside)
    assert res.returncode == 0, res.stderr[-3000:]
    expected = json.loads(reference_article.with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert compare(json.loads(res.stdout), expected) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _summary(output: str) -> list[str]:
    """The rows of the demo's summary table (label and count), without the run id."""
    rows = re.findall(r"│\s*([a-z][a-z ()]+?)\s*│\s*(\d+)\s*│", output)
    return [f"{label}={count}" for label, count in rows]


def test_demo_from_the_wheel_matches_the_checkout(installed, outside, tmp_path):
    checkout_bin = Path(sys.executable).parent
    results = {}
    for name, bin_dir in (("wheel", installed), ("checkout", checkout_bin)):
        cwd = outside if name == "wheel" else REPO
        res = _run([str(bin_dir / "pantau"), "demo", "--db", str(tmp_path / f"{name}.duckdb"),
                    "--port", str(_free_port())], cwd=cwd, PREFECT_HOME=str(tmp_path / f"prefect-{name}"))
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
        assert "Traceback" not in res.stdout + res.stderr  # not even from Prefect's temporary server
        results[name] = _summary(res.stdout)
    assert results["wheel"] == results["checkout"]
    assert "regulations first seen=" in " ".join(results["wheel"]) and len(results["wheel"]) >= 8
    assert "ui --db" in res.stdout  # the demo ends with the line that opens it in the browser

    # the web page from the wheel: templates and stylesheet are package data
    port = _free_port()
    ui = subprocess.Popen([str(installed / "pantau"), "ui", "--db", str(tmp_path / "wheel.duckdb"), "--port", str(port)],
                          cwd=outside, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/regulations", timeout=5)
                break
            except httpx.HTTPError:
                assert ui.poll() is None and time.monotonic() < deadline, ui.stderr.read() if ui.poll() else "slow"
                time.sleep(0.3)
        assert page.status_code == 200 and "Regulasi" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/static/pantau.css", timeout=5).status_code == 200
    finally:
        ui.terminate()
        ui.wait(timeout=30)
