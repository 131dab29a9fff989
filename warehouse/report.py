"""`eventcoder report`: one static, self-contained HTML page about the warehouse.

Everything is inline (CSS, SVG charts, the base map); there is no JavaScript, and a Content-Security-Policy
of default-src 'none' makes the browser refuse any request the page might still try, so it opens the same offline,
from a release directory or an e-mail attachment. Every string from the data is HTML-escaped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from warehouse.basemap import load_basemap
from warehouse.report_data import QUAD_CLASSES, ReportData, read_report_data
from warehouse.report_svg import QUAD_COLOURS, QUAD_NAMES, dyad_chart, esc, time_chart, world_map
from warehouse.store import Warehouse

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
QUAD_MEANING = {
    1: "statements of support, consultation, appeals and promises (CAMEO roots 01-05)",
    2: "aid, concessions and other cooperation carried out (roots 06-08)",
    3: "demands, disapproval, rejection, threats and protest in words (roots 09-13, some 14)",
    4: "force, coercion, assault, fighting and mass violence (roots 14-20)",
}
CSS = """
:root { color-scheme: light; --ink: #1d232b; --muted: #5b6573; --line: #d9dde3; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 1000px; padding: 24px 20px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; }
.lede, .note, footer { color: var(--muted); }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 12px 0; }
dl.run dt { font-weight: 600; } dl.run dd { margin: 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; padding: 0; list-style: none; }
.counts li { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
.counts b { display: block; font-size: 20px; }
ul.quads { padding-left: 0; list-style: none; } ul.quads li { margin: 3px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
svg.chart { display: block; width: 100%; height: auto; margin: 8px 0; font-size: 12px; fill: var(--ink); }
svg .grid { stroke: #eceff3; } svg .axis { stroke: #8a93a0; } svg .tick { fill: var(--muted); }
svg .bar:hover, svg .dyad:hover rect { opacity: .75; }
svg .ocean { fill: #e4eef6; } svg .graticule { stroke: #cfdce8; stroke-width: .5; fill: none; }
svg .country { fill: #f3f0e8; stroke: #a9a294; stroke-width: .5; } svg .country.has-events { fill: #e6d6ad; }
svg .country:hover { fill: #dccb98; }
svg .place { fill: #D55E00; fill-opacity: .72; stroke: #fff; stroke-width: 1; }
svg .place:hover { fill-opacity: 1; } svg .place-key { fill: #D55E00; fill-opacity: .35; stroke: #D55E00; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; } code { font-size: 13px; }
footer { margin-top: 40px; font-size: 13px; border-top: 1px solid var(--line); padding-top: 10px; }
"""


class ReportResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    bytes: int
    events: int
    places: int
    dyads: int


def write_report(warehouse_dir: Path, out: Path, top_dyads: int = 10) -> ReportResult:
    """Render the report of the warehouse in `warehouse_dir` to `out`, replacing it atomically."""
    with Warehouse.open_read_only(warehouse_dir) as warehouse:
        data = read_report_data(warehouse, top_dyads=top_dyads)
    page = render_report(data).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(page)
    os.replace(partial, out)
    return ReportResult(
        path=out, bytes=len(page), events=sum(data.quad_totals), places=len(data.places), dyads=len(data.dyads)
    )


def render_report(data: ReportData) -> str:
    basemap = load_basemap()
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>eventcoder report</title>",
            f"<style>{CSS}</style></head><body>",
            _header(data),
            '<section id="time"><h2>Events over time</h2>',
            f'<p class="note">Each event is counted once, at the start of the {data.bin} its date falls in '
            "(an event known only to the month or year sits at the start of it).</p>",
            time_chart(data.series, data.bin, data.quad_totals, data.undated_events),
            "</section>",
            '<section id="dyads"><h2>Top dyads</h2>',
            '<p class="note">Who acted towards whom, by number of distinct events (source → target), with the '
            "mean Goldstein score of their events (-10 most conflictual, +10 most cooperative).</p>",
            dyad_chart(data.dyads),
            _dyad_table(data),
            "</section>",
            '<section id="map"><h2>Where</h2>',
            world_map(data.places, data.country_events, basemap, data.unlocated_events),
            _places_table(data),
            "</section>",
            '<section id="outlets"><h2>Coverage by outlet</h2>',
            _outlet_table(data),
            "</section>",
            "<footer>",
            f"<p>Base map: {esc(basemap.source)}. {esc(basemap.licence)}. Simplified for this page.</p>",
            "<p>Made by <code>eventcoder report</code> from the warehouse; every figure is a query away "
            "(<code>eventcoder sql</code>).</p>",
            "</footer></body></html>",
        ]
    )


def _header(data: ReportData) -> str:
    run = data.latest_run
    if run is None:
        run_html = '<p class="note">No pipeline run is recorded in this warehouse.</p>'
    else:
        finished = run.finished_at.isoformat(timespec="seconds") if run.finished_at else "not finished"
        run_html = _definition_list(
            [
                ("Latest run", f"{run.run_id} ({run.status})"),
                ("Started / finished", f"{run.started_at.isoformat(timespec='seconds')} / {finished}"),
                ("Code version", run.code_version),
                ("Ontology version", run.ontology_version),
                ("Inputs", ", ".join(run.inputs) or "none recorded"),
                ("Runs recorded", str(data.runs)),
            ]
        )
    counts = "".join(f"<li><b>{n:,}</b>{esc(table)}</li>" for table, n in data.counts.items())
    quads = "".join(
        f'<li><span class="swatch" style="background:{QUAD_COLOURS[q]}"></span><b>{q} {QUAD_NAMES[q]}</b>: '
        f"{esc(QUAD_MEANING[q])} — {data.quad_totals[q - 1]:,} events</li>"
        for q in QUAD_CLASSES
    )
    return (
        "<header><h1>eventcoder report</h1>"
        '<p class="lede">CAMEO-coded political events in this warehouse: who did what to whom, when and where.</p>'
        f'{run_html}<ul class="counts">{counts}</ul>'
        "<p>CAMEO event codes fall into four <em>quad classes</em>, cooperation or conflict, in words or in deeds:</p>"
        f'<ul class="quads">{quads}</ul></header>'
    )


def _definition_list(items: Iterable[tuple[str, str]]) -> str:
    return '<dl class="run">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def _table(table_id: str, headers: Sequence[str], rows: Iterable[str], numeric_from: int) -> str:
    head = "".join(
        f'<th{" class=n" if i >= numeric_from else ""} scope="col">{esc(h)}</th>' for i, h in enumerate(headers)
    )
    body = "".join(rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _dyad_table(data: ReportData) -> str:
    rows = (
        f'<tr class="dyad" data-source="{esc(d.source)}" data-target="{esc(d.target)}">'
        f"<td><code>{esc(d.source)}</code> {esc(d.source_name)}</td><td><code>{esc(d.target)}</code> "
        f'{esc(d.target_name)}</td><td class="n">{d.events}</td><td class="n">{d.mentions}</td>'
        f'<td class="n">{d.mean_goldstein:+.2f}</td></tr>'
        for d in data.dyads
    )
    return _table("dyad-table", ["Source", "Target", "Events", "Mentions", "Mean Goldstein"], rows, 2)


def _places_table(data: ReportData, limit: int = 10) -> str:
    rows = (
        f"<tr><td>{esc(p.names)}</td><td>{esc(p.country_code or '')}</td>"
        f'<td class="n">{p.latitude:.3f}, {p.longitude:.3f}</td><td class="n">{p.events}</td>'
        f'<td class="n">{p.mentions}</td></tr>'
        for p in data.places[:limit]
    )
    note = (
        f'<p class="note">{len(data.places)} distinct located places; {data.unlocated_events} events without a '
        "location. The busiest places:</p>"
    )
    return note + _table("place-table", ["Place", "Country", "Lat, lon", "Events", "Mentions"], rows, 2)


def _outlet_table(data: ReportData) -> str:
    rows = (
        f'<tr class="outlet"><td>{esc(o.outlet) if o.outlet else "<em>outlet not stated</em>"}</td>'
        f'<td class="n">{o.articles}</td><td class="n">{o.duplicates}</td><td class="n">{o.mentions}</td>'
        f'<td class="n">{o.events}</td></tr>'
        for o in data.outlets
    )
    note = (
        '<p class="note">Articles per outlet, how many of them repeat a story already ingested (near-duplicates, '
        "whose mentions still count as reports), the event mentions coded from them and the distinct events "
        "those mentions report.</p>"
    )
    return note + _table("outlet-table", ["Outlet", "Articles", "Duplicates", "Mentions", "Events"], rows, 1)
