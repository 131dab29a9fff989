from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from schema.errors import WarehouseError, WarehouseMissingError
from schema.ontology import Ontology
from schema.records import Article, EventMention, Reject, Sentence
from warehouse.parquet import export_all
from warehouse.store import Warehouse
from warehouse.tables import TABLES, arrow_schema


def article(aid: str, published: dt.date | None, outlet: str | None = None) -> Article:
    return Article(article_id=aid, uri=f"{aid}.txt", text="Japan met China.", published_date=published, outlet=outlet)


def mention(aid: str, event_id: str, code: str = "040", day: dt.date | None = dt.date(2017, 4, 3)) -> EventMention:
    return EventMention(
        mention_id=f"m-{aid}-{event_id}",
        event_id=event_id,
        article_id=aid,
        sentence_index=0,
        source_actor="JPNGOV",
        target_actor="CHNGOV",
        event_code=code,
        root_code=code[:2],
        quad_class=1,
        goldstein=1.0,
        modality="asserted",
        event_date=day,
        date_precision="publication",
        source_text="Japan",
        target_text="China",
        verb_text="met",
        pattern_id="040-meet",
        confidence=0.9,
    )


def sentence(aid: str) -> Sentence:
    return Sentence(
        article_id=aid, sentence_index=0, text="Japan met China.", char_start=0, char_end=16, paragraph_index=0
    )


@pytest.fixture()
def warehouse(tmp_path: Path, ontology: Ontology) -> Warehouse:
    wh = Warehouse.open(tmp_path / "wh")
    wh.load_ontology(ontology)
    return wh


def test_schema_matches_contract(warehouse: Warehouse) -> None:
    required = {
        "articles": "article_id uri outlet title published_date text duplicate_of",
        "sentences": "article_id sentence_index text char_start char_end",
        "mentions": "mention_id event_id article_id sentence_index source_actor target_actor event_code root_code "
        "quad_class goldstein modality event_date date_precision location_name country_code latitude longitude "
        "geo_precision source_text target_text verb_text",
        "events": "event_id event_date source_actor target_actor event_code root_code quad_class goldstein "
        "plover_type acled_event_type acled_sub_event_type location_name country_code latitude longitude "
        "num_mentions num_articles num_sources first_article_id",
        "rejects": "run_id stage uri reason payload",
        "runs": "run_id started_at finished_at status code_version ontology_version counts",
    }
    for table, columns in required.items():
        _, rows = warehouse.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table]
        )
        have = {name: kind for name, kind in rows}
        assert set(columns.split()) <= set(have), table
    _, rows = warehouse.query("SELECT data_type FROM information_schema.columns WHERE column_name = 'event_code'")
    assert {r[0] for r in rows} == {"VARCHAR"}
    _, comments = warehouse.query(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'mentions' AND column_name = 'event_code'"
    )
    assert "leading zeros" in comments[0][0]


def test_lookups_join_codes_to_names(warehouse: Warehouse) -> None:
    _, rows = warehouse.query("SELECT name FROM cameo_codes WHERE code = '042'")
    assert rows == [("Make a visit",)]
    _, rows = warehouse.query("SELECT name FROM actors WHERE code = 'JPN'")
    assert rows == [("Japan",)]


def test_write_batch_is_idempotent_and_rollup_counts(warehouse: Warehouse) -> None:
    day = dt.date(2017, 4, 3)
    batch = (
        [article("a1", day, "Kyodo"), article("a2", day, "SCMP"), article("a3", day, None)],
        [sentence("a1"), sentence("a2"), sentence("a3")],
        [mention("a1", "e1"), mention("a2", "e1"), mention("a3", "e1"), mention("a3", "e2", code="111")],
        [Reject(reject_id="r1", run_id="run1", stage="load", uri="bad.txt", reason="empty", payload="")],
    )
    warehouse.write_batch(*batch)
    warehouse.rebuild_events()
    first = {
        t: warehouse.arrow(f"SELECT * FROM {t} ORDER BY ALL") for t in ("articles", "sentences", "mentions", "events")
    }
    rejected_again = Reject(reject_id="r1", run_id="run2", stage="load", uri="bad.txt", reason="empty", payload="")
    warehouse.write_batch(*batch[:3], [rejected_again])
    warehouse.rebuild_events()
    for table, before in first.items():
        assert warehouse.arrow(f"SELECT * FROM {table} ORDER BY ALL").equals(before), table
    assert warehouse.query("SELECT run_id FROM rejects")[1] == [("run1",)]
    # The rollup gives its own ids (the coder's "e1"/"e2" are provisional) and links the mentions to them.
    _, rows = warehouse.query(
        "SELECT event_code, num_mentions, num_articles, num_sources, first_article_id, plover_type, "
        "(SELECT list(m.mention_id ORDER BY m.mention_id) FROM mentions m WHERE m.event_id = e.event_id) "
        "FROM events e ORDER BY 1"
    )
    assert rows[0][:5] == ("040", 3, 3, 3, "a1")
    assert rows[1][:5] == ("111", 1, 1, 1, "a3")
    assert rows[0][5] is not None
    assert rows[0][6] == ["m-a1-e1", "m-a2-e1", "m-a3-e1"] and rows[1][6] == ["m-a3-e2"]


def test_rewriting_an_article_replaces_its_mentions(warehouse: Warehouse) -> None:
    day = dt.date(2017, 4, 3)
    warehouse.write_batch([article("a1", day)], [sentence("a1")], [mention("a1", "e1"), mention("a1", "e2")], [])
    warehouse.write_batch([article("a1", day)], [sentence("a1")], [mention("a1", "e1")], [])
    assert warehouse.count("mentions") == 1
    assert warehouse.count("articles") == 1


def test_parquet_partitions_are_deterministic_and_readable(warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse.write_batch(
        [article("a1", dt.date(2017, 4, 3)), article("a2", dt.date(2019, 1, 20)), article("a3", None)],
        [sentence("a1"), sentence("a2"), sentence("a3")],
        [mention("a1", "e1"), mention("a2", "e2", day=dt.date(2019, 1, 20)), mention("a3", "e3", day=None)],
        [],
    )
    warehouse.rebuild_events()
    out = tmp_path / "parquet"
    export_all(warehouse, out)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    assert "articles/year=2017/month=4/part-0.parquet" in files
    assert "mentions/year=2019/month=1/part-0.parquet" in files
    assert "mentions/year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/part-0.parquet" in files
    before = {f: (out / f).read_bytes() for f in files}
    export_all(warehouse, out)
    assert {f: (out / f).read_bytes() for f in files} == before
    assert not list(out.rglob("*.tmp-*"))
    table = pq.read_table(out / "mentions/year=2019/month=1/part-0.parquet")
    assert table.column("event_code").to_pylist() == ["040"]
    assert table.schema.field("event_code").type == arrow_schema(EventMention).field("event_code").type
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT count(*) FROM read_parquet('{out}/mentions/*/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    assert rows == [(3,)]
    # Partition values read back as numbers in DuckDB and pyarrow alike ("month=04" would be text in DuckDB).
    months = con.execute(
        f"SELECT DISTINCT typeof(month) FROM read_parquet('{out}/mentions/*/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    assert months and all(t[0] in {"BIGINT", "INTEGER"} for t in months)
    # A partition that lost its rows disappears on the next export.
    warehouse.con.execute("DELETE FROM mentions WHERE article_id = 'a2'")
    export_all(warehouse, out)
    assert not (out / "mentions/year=2019").exists()


def test_every_table_has_an_arrow_schema() -> None:
    for table in TABLES.values():
        schema = arrow_schema(table.model)
        assert set(table.key) <= set(schema.names)


def test_second_writer_gets_a_clear_message(warehouse: Warehouse, tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from warehouse.store import Warehouse\n"
        "from schema.errors import WarehouseInUseError\n"
        "try:\n    Warehouse.open(Path(sys.argv[1]))\nexcept WarehouseInUseError as e:\n    print(e); sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "wh")], capture_output=True, text=True)
    assert result.returncode == 3, result.stderr
    assert "in use by another eventcoder run" in result.stdout


def test_read_only_open_of_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissingError, match="run `eventcoder run` first"):
        Warehouse.open_read_only(tmp_path / "none")


def test_open_bounds_duckdb_memory_and_threads(tmp_path: Path) -> None:
    # A run's connection is bounded (PipelineConfig.duckdb_memory_limit, duckdb_threads); a plain open keeps
    # DuckDB's defaults.
    with Warehouse.open(tmp_path / "wh", memory_limit="96MB", threads=1) as wh:
        limit, threads = wh.con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert (limit, threads) == ("91.5 MiB", 1)  # DuckDB reports 96 MB in MiB
    with Warehouse.open(tmp_path / "wh") as wh:
        limit = wh.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit != "91.5 MiB"


def test_open_rejects_a_bad_duckdb_setting_and_releases_the_file(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match=r"bad DuckDB setting \(memory_limit='lots'"):
        Warehouse.open(tmp_path / "wh", memory_limit="lots")
    Warehouse.open(tmp_path / "wh").close()  # the failed open left no lock behind
