"""`pantau ui`: the analyst's web page over the warehouse, read-only, server-rendered (FastAPI + Jinja2).

Every request reads the warehouse's read snapshot (`warehouse.snapshot`): the page answers while a run writes,
and never blocks the next run. Every value is HTML-escaped by the templates (article text is untrusted), the
Content-Security-Policy allows no inline script at all, and the SQL console runs on a cursor where DuckDB itself
refuses writes and file access, with a row limit and a timeout.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from pantau.warehouse import pages, search
from pantau.warehouse.db import WarehouseError
from pantau.warehouse.snapshot import SnapshotReader, published_at
from pantau.web.render import angka, bulan, highlight, month_bars, tanggal

HERE = resources.files(__package__)
SEARCH_PAGE = 20
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _since(value: str | None, default_days: int = 7) -> date:
    """`?since=2025-06-01`; by default a week ago."""
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise HTTPException(400, f"since must be a date like 2025-06-01, not {value!r}") from None
    return (datetime.now(timezone.utc) - timedelta(days=default_days)).date()


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise HTTPException(400, f"{name} must be a number, not {value!r}") from None


def create_app(db_path: str | Path, console_rows: int = 1000, console_timeout: float = 5.0) -> FastAPI:
    reader = SnapshotReader(db_path)
    app = FastAPI(title="pantau", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters.update(tanggal=tanggal, bulan=bulan, angka=angka)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def secure(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    def cursor() -> Iterator[Any]:
        try:
            cur = reader.cursor()
        except WarehouseError as exc:
            raise HTTPException(503, str(exc)) from None
        try:
            yield cur
        finally:
            cur.close()

    def page(request: Request, cur, template: str, **context) -> HTMLResponse:
        args = dict(request.query_params)

        def link(**changes) -> str:
            merged = {k: v for k, v in {**args, **changes}.items() if v not in (None, "")}
            return f"{request.url.path}?{urlencode(merged)}" if merged else request.url.path

        def sort_link(key: str) -> str:  # the same key again flips the direction
            same = args.get("sort") == key
            return link(sort=key, dir="asc" if same and args.get("dir", "desc") == "desc" else "desc", page=None)

        fresh = pages.freshness(cur)
        return templates.TemplateResponse(request, template, {
            **context, "args": args, "link": link, "sort_link": sort_link, "fresh": fresh,
            "snapshot_at": published_at(db_path), "page_size": pages.PAGE_SIZE})

    def error_page(request: Request, status: int, message: str) -> HTMLResponse:
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message, "args": {},
                                                                  "fresh": {}, "snapshot_at": None},
                                          status_code=status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return error_page(request, exc.status_code, str(exc.detail))

    def current_page(request: Request) -> int:
        return max(_int(request.query_params.get("page"), "page") or 1, 1)

    def descending(request: Request) -> bool:
        return request.query_params.get("dir", "desc") != "asc"

    # --- pages --------------------------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, since: str | None = None, cur=Depends(cursor)):
        # by default the week up to the newest regulation's first mention: today's week on a live warehouse, and
        # still a full page on an old one (the demo's news is from 2025)
        newest = pages.newest_first_seen(cur)
        day = _since(since) if since else (newest - timedelta(days=7)).date() if newest else _since(None)
        alerts, alert_total = pages.alerts(cur, day, limit=20)
        return page(request, cur, "overview.html", since=day, totals=pages.totals(cur),
                    regulations=pages.new_regulations(cur, day), alerts=alerts, alert_total=alert_total,
                    health=pages.feed_health(cur))

    def regulation_filters(request: Request) -> dict[str, Any]:
        q = request.query_params
        seen = q.get("since")
        return {"type": q.get("type") or None, "issuer": q.get("issuer") or None,
                "year": _int(q.get("year"), "year"), "seen_since": _since(seen) if seen else None}

    @app.get("/regulations", response_class=HTMLResponse)
    def regulation_list(request: Request, cur=Depends(cursor)):
        number = current_page(request)
        rows, total = pages.regulations(cur, **regulation_filters(request), sort=request.query_params.get("sort"),
                                        descending=descending(request), page=number)
        return page(request, cur, "regulations.html", rows=rows, total=total, number=number,
                    facets=pages.regulation_facets(cur))

    @app.get("/regulations/{regulation_id:path}", response_class=HTMLResponse)
    def regulation_page(request: Request, regulation_id: str, cur=Depends(cursor)):
        found = pages.regulation(cur, regulation_id)
        if not found:
            raise HTTPException(404, f"no regulation {regulation_id!r} in the warehouse")
        number = current_page(request)
        return page(request, cur, "regulation.html", reg=found, chart=month_bars(pages.regulation_months(cur, regulation_id)),
                    mentions=pages.regulation_mentions(cur, regulation_id, number), number=number,
                    quotes=pages.regulation_quotes(cur, regulation_id),
                    events=pages.regulation_events(cur, regulation_id),
                    relations=pages.regulation_relations(cur, regulation_id))

    @app.get("/articles/{article_id}", response_class=HTMLResponse)
    def article_page(request: Request, article_id: str, cur=Depends(cursor)):
        found = pages.article(cur, article_id)
        if not found:
            raise HTTPException(404, f"no article {article_id!r} in the warehouse")
        spans = pages.article_spans(cur, article_id)
        return page(request, cur, "article.html", article=found, segments=highlight(found["body"] or "", spans),
                    kinds=sorted({s.kind for s in spans}), regulations=pages.article_regulations(cur, article_id))

    @app.get("/people", response_class=HTMLResponse)
    def people_list(request: Request, q: str | None = None, cur=Depends(cursor)):
        number = current_page(request)
        rows, total = pages.people(cur, q, request.query_params.get("sort"), descending(request), number)
        return page(request, cur, "people.html", rows=rows, total=total, number=number)

    @app.get("/people/{person_id}", response_class=HTMLResponse)
    def person_page(request: Request, person_id: str, cur=Depends(cursor)):
        found = pages.person(cur, person_id)
        if not found:
            raise HTTPException(404, f"no person {person_id!r} in the warehouse")
        return page(request, cur, "person.html", person=found, offices=pages.person_offices(cur, person_id),
                    quotes=pages.person_quotes(cur, person_id), articles=pages.person_articles(cur, person_id))

    @app.get("/organizations", response_class=HTMLResponse)
    def organization_list(request: Request, q: str | None = None, cur=Depends(cursor)):
        number = current_page(request)
        rows, total = pages.organizations(cur, q, request.query_params.get("sort"), descending(request), number)
        return page(request, cur, "organizations.html", rows=rows, total=total, number=number)

    @app.get("/organizations/{org_id}", response_class=HTMLResponse)
    def organization_page(request: Request, org_id: str, cur=Depends(cursor)):
        found = pages.organization(cur, org_id)
        if not found:
            raise HTTPException(404, f"no organization {org_id!r} in the warehouse")
        return page(request, cur, "organization.html", org=found, figures=pages.organization_figures(cur, org_id),
                    articles=pages.organization_articles(cur, org_id))

    def hits(cur, q: str, limit: int = 20) -> list[search.Hit]:
        if not q.strip():
            return []
        try:
            return search.search(cur, q, limit)[1]
        except search.SearchUnavailable as exc:
            raise HTTPException(503, str(exc)) from None

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, q: str = "", cur=Depends(cursor)):
        number = current_page(request)  # the best 20 × page, then this page's 20
        found = hits(cur, q, SEARCH_PAGE * number)[SEARCH_PAGE * (number - 1):]
        return page(request, cur, "search.html", q=q, hits=found, number=number,
                    more=len(found) == SEARCH_PAGE)

    def run_console(cur, q: str) -> tuple[list[str], list[tuple], bool]:
        try:
            return pages.console(cur, q, console_rows, console_timeout)
        except pages.ConsoleError as exc:
            raise HTTPException(400, str(exc)) from None

    @app.get("/sql", response_class=HTMLResponse)
    def sql_page(request: Request, q: str = "", cur=Depends(cursor)):
        columns, rows, more, error = [], [], False, None
        if q.strip():
            try:
                columns, rows, more = pages.console(cur, q, console_rows, console_timeout)
            except pages.ConsoleError as exc:
                error = str(exc)
        return page(request, cur, "sql.html", q=q, columns=columns, rows=rows, more=more, error=error,
                    max_rows=console_rows, timeout=console_timeout)

    @app.get("/sql.csv")
    def sql_csv(q: str, cur=Depends(cursor)):
        columns, rows, _ = run_console(cur, q)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="pantau-query.csv"'})

    @app.get("/feeds", response_class=HTMLResponse)
    def feeds_page(request: Request, cur=Depends(cursor)):
        number = current_page(request)
        rows, total = pages.feeds(cur, request.query_params.get("sort"), descending(request), number)
        return page(request, cur, "feeds.html", rows=rows, total=total, number=number)

    @app.get("/alerts", response_class=HTMLResponse)
    def alerts_page(request: Request, since: str | None = None, cur=Depends(cursor)):
        number = current_page(request)
        day = _since(since) if since else None
        rows, total = pages.alerts(cur, day, request.query_params.get("sort"), descending(request), number)
        return page(request, cur, "alerts.html", rows=rows, total=total, number=number)

    # --- JSON -------------------------------------------------------------------------------------------------------

    def as_json(value: Any, **headers) -> JSONResponse:
        return JSONResponse(jsonable_encoder(value), headers=headers)

    @app.get("/api/regulations")
    def api_regulations(request: Request, limit: int = 100, cur=Depends(cursor)):
        rows, total = pages.regulations(cur, **regulation_filters(request), sort=request.query_params.get("sort"),
                                        descending=descending(request), page=current_page(request),
                                        limit=max(1, min(limit, 1000)))
        return as_json(rows, **{"X-Total-Count": str(total)})

    @app.get("/api/regulations/{regulation_id:path}")
    def api_regulation(request: Request, regulation_id: str, cur=Depends(cursor)):
        found = pages.regulation(cur, regulation_id)
        if not found:
            raise HTTPException(404, f"no regulation {regulation_id!r}")
        return as_json({**found, "months": pages.regulation_months(cur, regulation_id),
                        "mentions": pages.regulation_mentions(cur, regulation_id, current_page(request)),
                        "quotes": pages.regulation_quotes(cur, regulation_id),
                        "events": pages.regulation_events(cur, regulation_id),
                        "relations": pages.regulation_relations(cur, regulation_id)})

    @app.get("/api/alerts")
    def api_alerts(request: Request, since: str | None = None, limit: int = 100, cur=Depends(cursor)):
        rows, total = pages.alerts(cur, _since(since) if since else None, page=current_page(request),
                                   limit=max(1, min(limit, 1000)))
        return as_json(rows, **{"X-Total-Count": str(total)})

    @app.get("/api/search")
    def api_search(q: str, limit: int = 20, cur=Depends(cursor)):
        return as_json([hit.__dict__ for hit in hits(cur, q, max(1, min(limit, 100)))])

    app.state.reader = reader
    return app
