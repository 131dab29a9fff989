"""Build warehouse/world_110m.json.gz, the report's offline base map, from Natural Earth's 1:110m countries.

Run once, by hand, when the base map should change; the output is committed so the report never needs the network
or a GIS library. Natural Earth (naturalearthdata.com) is public domain. The input is the copy of
`ne_110m_admin_0_countries` that geopandas 0.14 ships as package data (`naturalearth_lowres`, BSD-3 package; the data
stays public domain):

    pip download --no-deps -d /tmp/ne "geopandas<1.0"
    unzip -o /tmp/ne/geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/naturalearth_lowres/*' -d /tmp/ne
    .venv/bin/python tools/build_basemap.py /tmp/ne/geopandas/datasets/naturalearth_lowres/naturalearth_lowres

The shapefile is read with `struct` (polygons only, shape type 5) and every ring is simplified (Douglas-Peucker)
and rounded, which keeps the file small enough to inline in every report page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "warehouse" / "world_110m.json.gz"
TOLERANCE_DEGREES = 0.3  # well under a pixel at the report's map width (1 px is about 0.4 degrees)
MIN_RING_AREA = 0.8  # square degrees; drops specks no reader could see, keeps Jamaica-sized islands
DECIMALS = 1
Point = tuple[float, float]


def read_dbf(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields: list[tuple[str, int]] = []
    offset = 32
    while data[offset] != 0x0D:
        name = data[offset : offset + 11].rstrip(b"\0").decode("ascii")
        fields.append((name, data[offset + 16]))
        offset += 32
    records = []
    for i in range(count):
        start = header_len + i * record_len + 1  # first byte is the deletion flag
        record = {}
        for name, width in fields:
            record[name] = data[start : start + width].decode("latin-1").strip()
            start += width
        records.append(record)
    return records


def read_polygons(path: Path) -> list[list[list[Point]]]:
    data = path.read_bytes()
    shapes: list[list[list[Point]]] = []
    offset = 100
    while offset < len(data):
        _, length_words = struct.unpack(">ii", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + 2 * length_words]
        offset += 8 + 2 * length_words
        shape_type = struct.unpack("<i", body[:4])[0]
        if shape_type != 5:
            raise SystemExit(f"shape type {shape_type} is not a polygon; this tool reads polygon shapefiles only")
        num_parts, num_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{num_parts}i", body[44 : 44 + 4 * num_parts]))
        coords = struct.unpack(f"<{2 * num_points}d", body[44 + 4 * num_parts : 44 + 4 * num_parts + 16 * num_points])
        points = [(coords[2 * k], coords[2 * k + 1]) for k in range(num_points)]
        bounds = [*parts, num_points]
        shapes.append([points[bounds[j] : bounds[j + 1]] for j in range(num_parts)])
    return shapes


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (rings of a few hundred points; recursion depth is not the concern, clarity is)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, -1
        for k in range(first + 1, last):
            px, py = points[k]
            if norm == 0:
                dist = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            else:
                dist = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if dist > best:
                best, index = dist, k
        if best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring_area(points: list[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def build(stem: Path) -> dict[str, object]:
    records = read_dbf(stem.with_suffix(".dbf"))
    shapes = read_polygons(stem.with_suffix(".shp"))
    countries = []
    for record, rings in zip(records, shapes, strict=True):
        kept = []
        for ring in rings:
            if ring_area(ring) < MIN_RING_AREA:
                continue
            small = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in simplify(ring, TOLERANCE_DEGREES)]
            if len(small) >= 4:
                kept.append([c for point in small[:-1] for c in point])  # closed by the path's Z
        if kept:
            countries.append({"iso_a3": record["iso_a3"], "name": record["name"], "rings": kept})
    return {
        "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (ne_110m_admin_0_countries), "
        "as shipped in geopandas 0.14.4 datasets/naturalearth_lowres",
        "licence": "Public domain (Natural Earth terms of use: naturalearthdata.com/about/terms-of-use)",
        "simplified": f"Douglas-Peucker {TOLERANCE_DEGREES} degrees, rings under {MIN_RING_AREA} square degrees "
        f"dropped, coordinates rounded to {DECIMALS} decimal(s), by tools/build_basemap.py",
        "coordinates": "lon,lat pairs (WGS84 degrees), flattened; each ring is closed implicitly",
        "countries": sorted(countries, key=lambda c: str(c["name"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stem", type=Path, help="shapefile path without its suffix (…/naturalearth_lowres)")
    args = parser.parse_args()
    data = json.dumps(build(args.stem), separators=(",", ":"), ensure_ascii=False).encode()
    # mtime=0 so rebuilding the same input gives byte-identical output (a clean git diff)
    OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"{OUT}: {len(data):,} bytes of JSON, {OUT.stat().st_size:,} gzipped")


if __name__ == "__main__":
    main()
