"""The report's offline base map: country outlines on an equirectangular projection.

The outlines are Natural Earth 1:110m admin-0 countries (public domain), simplified once by tools/build_basemap.py
into warehouse/world_110m.json.gz (about 20 kB) with its provenance inside the file. Nothing here touches the network.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from schema.errors import WarehouseError

BASEMAP_FILE = Path(__file__).resolve().parent / "world_110m.json.gz"
# Antarctica takes a fifth of an equirectangular map and holds no news events; cropping at 58 S keeps Tierra del
# Fuego and New Zealand, 84 N keeps Greenland and Svalbard.
NORTH, SOUTH = 84.0, -58.0
SKIPPED = frozenset({"Antarctica", "Fr. S. Antarctic Lands"})


@dataclass(frozen=True)
class Country:
    iso_a3: str
    name: str
    rings: tuple[tuple[float, ...], ...]  # flattened lon,lat pairs


@dataclass(frozen=True)
class Basemap:
    source: str
    licence: str
    countries: tuple[Country, ...]


@cache
def load_basemap(path: Path = BASEMAP_FILE) -> Basemap:
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError) as exc:
        raise WarehouseError(
            f"cannot read the report's base map {path}: {exc}; restore it from git or rebuild it with "
            "tools/build_basemap.py"
        ) from exc
    countries = tuple(
        Country(c["iso_a3"], c["name"], tuple(tuple(r) for r in c["rings"]))
        for c in data["countries"]
        if c["name"] not in SKIPPED
    )
    return Basemap(data["source"], data["licence"], countries)


@dataclass(frozen=True)
class Projection:
    """lon/lat degrees to SVG pixels: x grows east, y grows south, the world 360 degrees across `width`."""

    width: float

    @property
    def scale(self) -> float:
        return self.width / 360.0

    @property
    def height(self) -> float:
        return (NORTH - SOUTH) * self.scale

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        lat = min(max(lat, SOUTH), NORTH)  # a marker past the crop sits on the edge rather than off the map
        return (lon + 180.0) * self.scale, (NORTH - lat) * self.scale

    def path(self, rings: tuple[tuple[float, ...], ...]) -> str:
        """SVG path data for a country's rings, one decimal (a tenth of a pixel is plenty)."""
        parts = []
        for ring in rings:
            coords = [self.point(ring[k], ring[k + 1]) for k in range(0, len(ring), 2)]
            head, *tail = coords
            parts.append(f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in tail) + "Z")
        return "".join(parts)
