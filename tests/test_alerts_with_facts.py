"""An alert is raised in the transaction that stores the facts it is about: a run that dies after storing (before
its delivery step) loses no alert, and the next run delivers each one once (issue 17's measured failure: 23 of 107
regulations stored by a killed run never raised an alert)."""

from __future__ import annotations

import pytest
from factories import demo_settings

from pantau.demo.server import serve_demo
from pantau.warehouse import db

pytestmark = pytest.mark.slow


def alerted(path) -> tuple[set[str], set[str], dict[str, int]]:
    with db.connect(path, read_only=True) as con:
        regulations = {r for (r,) in con.execute("SELECT regulation_id FROM regulations").fetchall()}
        subjects = {s for (s,) in con.execute("SELECT subject_id FROM alerts WHERE kind = 'new_regulation'").fetchall()}
        statuses = dict(con.execute("SELECT status, count(*) FROM alert_deliveries GROUP BY ALL").fetchall())
    return regulations, subjects, statuses


def test_run_dying_after_storing_loses_no_alert(tmp_path, prefect_harness, monkeypatch):
    import pantau.flows.ingest as ingest
    from pantau.flows.ingest import ingest_flow

    def dies(*args, **kwargs):
        raise RuntimeError("the process died here")

    with serve_demo() as base_url:
        settings = demo_settings(tmp_path, base_url, "w.duckdb")
        with monkeypatch.context() as patched:
            # The whole alert step dies: every batch is stored, nothing after it runs (before this change the alerts
            # were raised in that step, so they were lost).
            patched.setattr(ingest, "alert", dies)
            with pytest.raises(RuntimeError, match="died here"):
                ingest_flow(settings)
        regulations, subjects, statuses = alerted(settings.warehouse.path)
        assert regulations and subjects == regulations  # every stored regulation has its alert
        assert set(statuses) == {"pending"}
        result = ingest_flow(settings)  # the next run: nothing new to store, every pending alert delivered
    again, subjects_after, statuses = alerted(settings.warehouse.path)
    assert again == regulations and subjects_after == subjects
    assert result.counts["alerts_raised"] == 0 and set(statuses) == {"delivered"}
    assert len(result.deliveries.delivered) == sum(statuses.values())
