"""The report page: its figures against the warehouse (by SQL written here), its escaping, and the page itself in a
real headless Chromium (no console errors, no requests beyond the file, charts drawn with a size)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tools.screenshot_report import CHROMIUM, CHROMIUM_ARGS
from warehouse.report import render_report, write_report
from warehouse.report_data import bin_starts, choose_bin, read_report_data
from warehouse.store import Warehouse

LABEL_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


@dataclass(frozen=True)
class Page:
    path: Path
    html: str
    tree: Any


@pytest.fixture(scope="module")
def page(seed_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Page:
    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(seed_warehouse, out)
    html = out.read_text(encoding="utf-8")
    return Page(out, html, lxml.html.fromstring(html))


def sql(warehouse: Path, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with Warehouse.open_read_only(warehouse) as wh:
        return wh.query(query, params)[1]


def test_dyads_shown_are_the_warehouse_top_dyads(page: Page, seed_warehouse: Path) -> None:
    expected = sql(
        seed_warehouse,
        "SELECT source_actor, target_actor, count(*) AS n, sum(num_mentions) AS m, avg(goldstein) FROM events "
        "WHERE source_actor IS NOT NULL AND target_actor IS NOT NULL GROUP BY 1, 2 "
        "ORDER BY n DESC, m DESC, source_actor, target_actor LIMIT 10",
    )
    assert expected, "the seed warehouse has dyads"
    rows = page.tree.xpath('//table[@id="dyad-table"]//tr[@class="dyad"]')
    assert [(r.get("data-source"), r.get("data-target")) for r in rows] == [(s, t) for s, t, *_ in expected]
    for row, (_, _, events, mentions, goldstein) in zip(rows, expected, strict=True):
        cells = [c.text_content() for c in row.xpath("td")]
        assert cells[2:] == [str(events), str(mentions), f"{goldstein:+.2f}"]
    bars = page.tree.xpath('//svg[@id="chart-dyads"]//g[@class="dyad"]')
    assert [(b.get("data-source"), b.get("data-target"), int(b.get("data-events"))) for b in bars] == [
        (s, t, n) for s, t, n, *_ in expected
    ]


def test_time_chart_totals_equal_events_per_quad_class(page: Page, seed_warehouse: Path) -> None:
    per_quad = dict(sql(seed_warehouse, "SELECT quad_class, count(*) FROM events GROUP BY 1"))
    dated = dict(sql(seed_warehouse, "SELECT quad_class, count(*) FROM events WHERE event_date IS NOT NULL GROUP BY 1"))
    chart = page.tree.xpath('//svg[@id="chart-time"]')[0]
    for quad in (1, 2, 3, 4):
        drawn = sum(int(r.get("data-count")) for r in chart.xpath(f'.//rect[@data-quad="{quad}"]'))
        assert drawn == dated.get(quad, 0), f"quad class {quad}"
        legend = chart.xpath(f'.//g[@class="legend-item"][@data-quad="{quad}"]')[0]
        assert int(legend.get("data-total")) == per_quad.get(quad, 0)
    # and each bar sits in the right period: the chart's bins against the warehouse's, one period at a time
    size = chart.get("data-bin-size")
    assert size in LABEL_FORMATS
    by_bin = {
        (b.strftime(LABEL_FORMATS[size]), q): n
        for b, q, n in sql(
            seed_warehouse,
            "SELECT date_trunc(?, event_date) AS b, quad_class, count(*) FROM events "
            "WHERE event_date IS NOT NULL GROUP BY ALL",
            [size],
        )
    }
    drawn_bins = {
        (r.get("data-bin"), int(r.get("data-quad"))): int(r.get("data-count"))
        for r in chart.xpath(".//rect")
        if r.get("data-bin")
    }
    assert drawn_bins == by_bin


def test_map_has_one_marker_per_distinct_located_place(page: Page, seed_warehouse: Path) -> None:
    places = sql(
        seed_warehouse,
        "SELECT latitude, longitude, count(*) FROM events WHERE latitude IS NOT NULL AND longitude IS NOT NULL "
        "GROUP BY 1, 2",
    )
    assert places, "the seed warehouse has located events"
    markers = page.tree.xpath('//svg[@id="chart-map"]//circle[@class="place"]')
    assert sorted((float(m.get("data-lat")), float(m.get("data-lon")), int(m.get("data-events"))) for m in markers) == (
        sorted(places)
    )
    for marker in markers:
        assert marker.xpath("string(title)").strip(), "every marker has a tooltip"
    # a real base map under the markers: country outlines, the located countries shaded
    countries = page.tree.xpath('//svg[@id="chart-map"]//path[contains(@class, "country")]')
    assert len(countries) > 150
    shaded = {c.get("data-iso") for c in countries if "has-events" in c.get("class")}
    located = {
        c for (c,) in sql(seed_warehouse, "SELECT DISTINCT country_code FROM events WHERE country_code IS NOT NULL")
    }
    assert shaded == located & {c.get("data-iso") for c in countries}
    assert {"JPN", "CHN"} <= shaded


def test_markers_land_in_their_country(page: Page, seed_warehouse: Path) -> None:
    """Markers and outlines share one projection: each place sits inside its country's outline box."""
    boxes = {}
    for path in page.tree.xpath('//svg[@id="chart-map"]//path[contains(@class, "country")]'):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        xs, ys = numbers[0::2], numbers[1::2]
        boxes[path.get("data-iso")] = (min(xs), min(ys), max(xs), max(ys))
    places = sql(
        seed_warehouse,
        "SELECT DISTINCT latitude, longitude, country_code FROM events WHERE latitude IS NOT NULL "
        "AND longitude IS NOT NULL",
    )
    markers = {
        (float(m.get("data-lat")), float(m.get("data-lon"))): (float(m.get("cx")), float(m.get("cy")))
        for m in page.tree.xpath('//circle[@class="place"]')
    }
    checked = 0
    for lat, lon, country in places:
        if country not in boxes:
            continue
        x, y = markers[(lat, lon)]
        x0, y0, x1, y1 = boxes[country]
        slack = 3.0  # px: the outlines are simplified, and capitals such as Tokyo and Lima are on the coast
        assert x0 - slack <= x <= x1 + slack and y0 - slack <= y <= y1 + slack, (lat, lon, country)
        checked += 1
    assert checked >= 2


def test_outlet_coverage_adds_up(page: Page, seed_warehouse: Path) -> None:
    rows = page.tree.xpath('//table[@id="outlet-table"]//tr[@class="outlet"]')
    cells = [[c.text_content() for c in r.xpath("td")] for r in rows]
    ((articles, duplicates, mentions),) = sql(
        seed_warehouse, "SELECT count(*), count(duplicate_of), (SELECT count(*) FROM mentions) FROM articles"
    )
    assert sum(int(c[1]) for c in cells) == articles
    assert sum(int(c[2]) for c in cells) == duplicates
    assert sum(int(c[3]) for c in cells) == mentions
    outlets = sql(seed_warehouse, "SELECT DISTINCT outlet FROM articles")
    assert len(rows) == len(outlets)


def test_header_names_the_latest_run(page: Page, seed_warehouse: Path) -> None:
    ((run_id, code_version, ontology_version),) = sql(
        seed_warehouse,
        "SELECT run_id, code_version, ontology_version FROM runs ORDER BY started_at DESC LIMIT 1",
    )
    header = page.tree.xpath("//header")[0].text_content()
    for value in (run_id, code_version, ontology_version, "Verbal cooperation", "Material conflict"):
        assert value in header


def test_page_is_self_contained(page: Page) -> None:
    assert "<script" not in page.html.lower()
    assert not page.tree.xpath("//*[@src] | //link | //img | //iframe | //object")
    # the only URL is the SVG namespace, which names a vocabulary and is never fetched
    urls = re.findall(r"[a-z]+://[^\s\"'<>]*", page.html)
    assert set(urls) == {"http://www.w3.org/2000/svg"}
    assert "default-src 'none'" in page.tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]


def test_text_from_the_data_is_escaped(seed_warehouse: Path) -> None:
    hostile = '<script>alert("x")</script> & "Times" <b>'
    with Warehouse.open_read_only(seed_warehouse) as wh:
        data = read_report_data(wh)
    dyad = data.dyads[0].model_copy(update={"source": hostile, "source_name": hostile})
    place = data.places[0].model_copy(update={"names": hostile})
    outlet = data.outlets[0].model_copy(update={"outlet": hostile})
    evil = data.model_copy(
        update={"dyads": (dyad, *data.dyads[1:]), "places": (place, *data.places[1:]), "outlets": (outlet,)}
    )
    html = render_report(evil)
    assert "<script" not in html and hostile not in html
    tree = lxml.html.fromstring(html)
    assert tree.xpath('//tr[@class="dyad"]/@data-source')[0] == hostile
    assert hostile in tree.xpath('string(//tr[@class="outlet"]/td[1])')
    assert any(hostile in t for t in tree.xpath('//circle[@class="place"]/title/text()'))


def test_empty_warehouse_gives_a_page_that_says_so(tmp_path: Path) -> None:
    Warehouse.open(tmp_path / "wh").close()
    result = write_report(tmp_path / "wh", tmp_path / "report.html")
    tree = lxml.html.fromstring((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert (result.events, result.places, result.dyads) == (0, 0, 0)
    assert "No dated events." in tree.xpath('string(//svg[@id="chart-time"])')
    assert "No pipeline run is recorded" in tree.xpath("string(//header)")
    assert not tree.xpath('//circle[@class="place"]')


def test_cli_writes_the_report(seed_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "site" / "index.html"
    result = CliRunner().invoke(app, ["report", "--warehouse", str(seed_warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and out.stat().st_size > 10_000
    missing = CliRunner().invoke(app, ["report", "--warehouse", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "eventcoder run" in missing.output


def test_page_in_headless_chromium(page: Page, seed_warehouse: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing; install Debian's browser with `apt-get install -y chromium` (never "
            "`playwright install`, which downloads a browser and fails offline)"
        )
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    errors: list[str] = []
    requests: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1100, "height": 900})
            tab.on(
                "console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            )
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.on("request", lambda r: requests.append(r.url))
            tab.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
            response = tab.goto(page.path.as_uri(), wait_until="networkidle")
            assert response is not None and response.ok
            assert tab.title() == "eventcoder report"
            boxes = {}
            for chart in ("chart-time", "chart-dyads", "chart-map"):
                svg = tab.locator(f"svg#{chart}")
                assert svg.is_visible(), chart
                boxes[chart] = svg.bounding_box()
            bars = tab.locator("svg#chart-time rect.bar")
            markers = tab.locator("svg#chart-map circle.place")
            countries_box = tab.locator("svg#chart-map g.countries").bounding_box()
            marker_boxes = [markers.nth(i).bounding_box() for i in range(markers.count())]
            bar_boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
        finally:
            browser.close()
    assert console == [] and errors == []
    assert failed == []
    assert requests == [page.path.as_uri()], "the page asked for something besides itself: it is not self-contained"
    for chart, box in boxes.items():
        assert box is not None and box["width"] > 300 and box["height"] > 100, (chart, box)
    # the world fills most of the map's width; every place and every bar segment is drawn with a size
    assert countries_box is not None and boxes["chart-map"] is not None
    assert countries_box["width"] > 0.9 * boxes["chart-map"]["width"]
    places = sql(seed_warehouse, "SELECT count(DISTINCT (latitude, longitude)) FROM events WHERE latitude IS NOT NULL")
    assert len(marker_boxes) == places[0][0]
    assert all(b is not None and b["width"] > 0 and b["height"] > 0 for b in marker_boxes + bar_boxes)
    assert bar_boxes


def test_bins_follow_the_span() -> None:
    day = dt.date(2024, 1, 30)
    assert choose_bin(day, day + dt.timedelta(days=60)) == "day"
    assert choose_bin(day, dt.date(2026, 1, 1)) == "month"
    assert choose_bin(day, dt.date(2040, 1, 1)) == "year"
    months = bin_starts(dt.date(2024, 11, 5), dt.date(2025, 2, 1), "month")
    assert months == [dt.date(2024, 11, 1), dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
