"""Inline SVG charts for the report, drawn in Python: no JavaScript, no fonts or scripts from the network.

Every chart is an <svg role="img"> with a <title> and <desc> it is labelled by, and every mark has its own <title>
(the browser's tooltip, and what a screen reader reads). Marks carry data-* attributes with the numbers they
draw, so tests can check the picture against the warehouse. All text from the data goes through `esc`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from warehouse.basemap import Basemap, Projection
from warehouse.report_data import QUAD_CLASSES, Bin, Dyad, Place, TimeBin

QUAD_NAMES = {1: "Verbal cooperation", 2: "Material cooperation", 3: "Verbal conflict", 4: "Material conflict"}
# Okabe-Ito colours: told apart by readers with the common colour-vision deficiencies; blues cooperate, oranges fight.
QUAD_COLOURS = {1: "#56B4E9", 2: "#0072B2", 3: "#E69F00", 4: "#D55E00"}
FONT = 12


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def _svg_open(chart_id: str, width: float, height: float, title: str, desc: str, extra: str = "") -> str:
    return (
        f'<svg id="{chart_id}" class="chart" role="img" viewBox="0 0 {width:.0f} {height:.0f}"{extra} '
        f'width="{width:.0f}" height="{height:.0f}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{esc(title)}</title><desc id="{chart_id}-desc">{esc(desc)}</desc>'
    )


def nice_ticks(maximum: int, most: int = 5) -> list[int]:
    """0 and a round step (1, 2 or 5 x 10^k) up to at least `maximum`, with at most `most` steps."""
    if maximum <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(maximum / step) <= most:
                return list(range(0, step * math.ceil(maximum / step) + 1, step))
        magnitude *= 10


def time_chart(series: Sequence[TimeBin], size: Bin, totals: Sequence[int], undated: int) -> str:
    width, height = 960.0, 320.0
    left, right, top, bottom = 48.0, 12.0, 44.0, 44.0
    plot_w, plot_h = width - left - right, height - top - bottom
    per = size
    desc = (
        f"Stacked bars: events per {per} by quad class. Totals: "
        + ", ".join(f"{QUAD_NAMES[q]} {totals[q - 1]}" for q in QUAD_CLASSES)
        + (f"; {undated} events without a date are not drawn." if undated else ".")
    )
    out = [_svg_open("chart-time", width, height, f"Events per {per} by quad class", desc, f' data-bin-size="{size}"')]
    out.append(_legend(left, 18.0, totals))
    if not series:
        out.append(f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle">No dated events.</text></svg>')
        return "".join(out)
    peak = max(sum(b.counts) for b in series)
    ticks = nice_ticks(peak)
    y_of = lambda v: top + plot_h - plot_h * v / ticks[-1]  # noqa: E731 - a one-line scale reads best as a lambda
    for tick in ticks:
        y = y_of(tick)
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    slot = plot_w / len(series)
    bar = max(slot * 0.8, 1.0)
    label_every = max(1, math.ceil(len(series) / 12))
    for i, b in enumerate(series):
        x = left + i * slot + (slot - bar) / 2
        base = 0
        for q in QUAD_CLASSES:
            n = b.counts[q - 1]
            if n:
                y0, y1 = y_of(base + n), y_of(base)
                out.append(
                    f'<rect class="bar q{q}" data-bin="{esc(b.label)}" data-quad="{q}" data-count="{n}" '
                    f'x="{x:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{y1 - y0:.1f}" fill="{QUAD_COLOURS[q]}">'
                    f"<title>{esc(b.label)} · {QUAD_NAMES[q]}: {n} event{'s' if n != 1 else ''}</title></rect>"
                )
                base += n
        if i % label_every == 0:
            out.append(
                f'<text class="tick" x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                f"{esc(b.label)}</text>"
            )
    out.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>'
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}"/>'
        f'<text class="axis-label" x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle">'
        f"event date ({per})</text>"
        f'<text class="axis-label" transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" '
        'text-anchor="middle">events</text></svg>'
    )
    return "".join(out)


def _legend(x: float, y: float, totals: Sequence[int]) -> str:
    parts = ['<g class="legend">']
    for q in QUAD_CLASSES:
        label = f"{q} {QUAD_NAMES[q]} ({totals[q - 1]})"
        parts.append(
            f'<g class="legend-item" data-quad="{q}" data-total="{totals[q - 1]}">'
            f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="{QUAD_COLOURS[q]}"/>'
            f'<text x="{x + 17:.0f}" y="{y:.0f}">{esc(label)}</text></g>'
        )
        x += 36 + 7.2 * len(label)
    parts.append("</g>")
    return "".join(parts)


def goldstein_colour(score: float) -> str:
    """-10 vermillion, 0 grey, +10 blue: the same sides as the quad colours."""
    low, mid, high = (0xD5, 0x5E, 0x00), (0xB0, 0xB0, 0xB0), (0x00, 0x72, 0xB2)
    t = max(-1.0, min(1.0, score / 10.0))
    a, b = (mid, high) if t >= 0 else (mid, low)
    return "#" + "".join(f"{round(p + (q - p) * abs(t)):02x}" for p, q in zip(a, b, strict=True))


def dyad_chart(dyads: Sequence[Dyad]) -> str:
    row, left, right, top = 26.0, 230.0, 130.0, 8.0
    width = 960.0
    height = top * 2 + row * max(len(dyads), 1)
    desc = (
        "Horizontal bars: events per source → target dyad, coloured by mean Goldstein score "
        "(orange negative, blue positive)."
    )
    out = [_svg_open("chart-dyads", width, height, "Top dyads by number of events", desc)]
    if not dyads:
        out.append(f'<text x="{width / 2:.0f}" y="{height / 2 + 4:.0f}" text-anchor="middle">No dyads.</text></svg>')
        return "".join(out)
    peak = max(d.events for d in dyads)
    plot_w = width - left - right
    for i, d in enumerate(dyads):
        y = top + i * row
        length = max(plot_w * d.events / peak, 1.0)
        name = f"{d.source} → {d.target}"
        tip = (
            f"{d.source_name} → {d.target_name}: {d.events} events, {d.mentions} mentions, "
            f"mean Goldstein {d.mean_goldstein:+.1f}"
        )
        out.append(
            f'<g class="dyad" data-source="{esc(d.source)}" data-target="{esc(d.target)}" data-events="{d.events}">'
            f"<title>{esc(tip)}</title>"
            f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end">{esc(name)}</text>'
            f'<rect x="{left}" y="{y + 4:.1f}" width="{length:.1f}" height="{row - 8:.1f}" '
            f'fill="{goldstein_colour(d.mean_goldstein)}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + row / 2 + 4:.1f}">{d.events} · G {d.mean_goldstein:+.1f}</text>'
            "</g>"
        )
    out.append(f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{height - top}"/></svg>')
    return "".join(out)


def marker_radius(events: int, peak: int) -> float:
    """Area grows with the count (radius with its square root), so a place with 4x the events looks 4x as big."""
    return 3.0 + 13.0 * math.sqrt(events / peak) if peak else 3.0


def world_map(places: Sequence[Place], country_events: dict[str, int], basemap: Basemap, unlocated: int) -> str:
    projection = Projection(960.0)
    width, height = projection.width, projection.height
    desc = f"World map (equirectangular) with {len(places)} event locations, circles sized by number of events" + (
        f"; {unlocated} events without a location are not drawn." if unlocated else "."
    )
    out = [_svg_open("chart-map", width, height, "Where the events happened", desc)]
    out.append(f'<rect class="ocean" x="0" y="0" width="{width:.0f}" height="{height:.0f}"/>')
    graticule = []
    for lon in range(-150, 181, 30):
        x, _ = projection.point(lon, 0)
        graticule.append(f"M{x:.1f} 0V{height:.1f}")
    for lat in (-30, 0, 30, 60):
        _, y = projection.point(0, lat)
        graticule.append(f"M0 {y:.1f}H{width:.1f}")
    out.append(f'<path class="graticule" d="{"".join(graticule)}"/>')
    out.append('<g class="countries">')
    for country in basemap.countries:
        n = country_events.get(country.iso_a3, 0)
        tip = f"{country.name}: {n} event{'s' if n != 1 else ''}" if n else country.name
        out.append(
            f'<path class="country{" has-events" if n else ""}" data-iso="{esc(country.iso_a3)}" '
            f'd="{projection.path(country.rings)}"><title>{esc(tip)}</title></path>'
        )
    out.append('</g><g class="places">')
    peak = max((p.events for p in places), default=0)
    # biggest first, so small circles are drawn on top and stay hoverable
    for place in sorted(places, key=lambda p: (-p.events, p.latitude, p.longitude)):
        x, y = projection.point(place.longitude, place.latitude)
        where = place.names + (f" ({place.country_code})" if place.country_code else "")
        tip = (
            f"{where}: {place.events} event{'s' if place.events != 1 else ''}, {place.mentions} mentions; "
            + ", ".join(
                f"{QUAD_NAMES[q].lower()} {n}" for q, n in zip(QUAD_CLASSES, place.quad_counts, strict=True) if n
            )
        )
        out.append(
            f'<circle class="place" data-lat="{place.latitude}" data-lon="{place.longitude}" '
            f'data-events="{place.events}" cx="{x:.1f}" cy="{y:.1f}" r="{marker_radius(place.events, peak):.1f}">'
            f"<title>{esc(tip)}</title></circle>"
        )
    out.append("</g>")
    if peak:
        out.append(_size_legend(peak, height))
    out.append("</svg>")
    return "".join(out)


def _size_legend(peak: int, height: float) -> str:
    values = sorted({1, max(1, peak // 2), peak})
    x, parts = 18.0, [f'<g class="size-legend"><text x="10" y="{height - 44:.0f}">events per place</text>']
    for value in values:
        r = marker_radius(value, peak)
        parts.append(
            f'<circle class="place-key" cx="{x + r:.1f}" cy="{height - 18 - r:.1f}" r="{r:.1f}"/>'
            f'<text x="{x + r:.1f}" y="{height - 4:.0f}" text-anchor="middle">{value}</text>'
        )
        x += 2 * r + 16
    parts.append("</g>")
    return "".join(parts)
