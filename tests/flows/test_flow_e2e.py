"""End to end: the real Prefect flow over the seed articles, then again, with the table contents checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.prefect_settings import apply_offline_defaults

apply_offline_defaults()

from prefect.testing.utilities import prefect_test_harness  # noqa: E402

from flows.flow import eventcoder_flow  # noqa: E402
from schema.config import PipelineConfig  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

DATA_TABLES = ("articles", "sentences", "mentions", "events", "rejects")


@pytest.fixture(scope="module")
def harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


def snapshot(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    with Warehouse.open_read_only(warehouse) as wh:
        return {t: wh.query(f"SELECT * FROM {t} ORDER BY ALL")[1] for t in DATA_TABLES}


@pytest.mark.e2e
def test_flow_codes_seeds_and_reruns_identically(harness: None, seed_dir: Path, tmp_path: Path) -> None:
    (seed_dir / "broken.jsonl").write_text('{"text": "Japan met China."}\n{oops\n', encoding="utf-8")
    (seed_dir / "empty.txt").write_text("", encoding="utf-8")
    config = PipelineConfig(inputs=(seed_dir,), warehouse=tmp_path / "data")

    summary = eventcoder_flow(config)
    assert summary.articles == 6  # five seeds and the good JSON line
    first = snapshot(config.warehouse)

    with Warehouse.open_read_only(config.warehouse) as wh:
        assert wh.count("articles") == 6
        _, uris = wh.query("SELECT uri, reason FROM rejects ORDER BY uri")
        assert [u for u, _ in uris] == [f"{seed_dir}/broken.jsonl#2", f"{seed_dir}/empty.txt"]
        # Japan-China meetings are coded, both ways, from more than one article.
        _, rows = wh.query(
            "SELECT DISTINCT substr(source_actor, 1, 3), substr(target_actor, 1, 3) FROM mentions "
            "WHERE root_code = '04' AND source_actor IS NOT NULL"
        )
        assert {("JPN", "CHN"), ("CHN", "JPN")} <= set(rows)
        _, rows = wh.query("SELECT count(DISTINCT article_id) FROM mentions WHERE event_code IN ('036', '040', '046')")
        assert rows[0][0] >= 4
        # Every mention traces back to its sentence, and no boilerplate became a sentence.
        _, orphans = wh.query(
            "SELECT count(*) FROM mentions m LEFT JOIN sentences s USING (article_id, sentence_index) "
            "WHERE s.text IS NULL"
        )
        assert orphans == [(0,)]
        _, junk = wh.query(
            "SELECT count(*) FROM sentences WHERE text ILIKE '%advertisement%' OR text ILIKE '%subscrib%' "
            "OR text ILIKE '%myNEWS%' OR text ILIKE '%Photo:%'"
        )
        assert junk == [(0,)]
        _, runs = wh.query("SELECT status, counts FROM runs")
        assert runs[0][0] == "completed" and '"articles": 6' in runs[0][1]

    eventcoder_flow(config)
    assert snapshot(config.warehouse) == first
    with Warehouse.open_read_only(config.warehouse) as wh:
        assert wh.count("runs") == 2
    assert (config.warehouse / "parquet" / "events").is_dir()
