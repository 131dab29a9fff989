"""Stored MinHash signatures of articles, so a later run finds the near-duplicates of earlier runs' articles.

Two internal tables (not part of the released dataset): `article_signatures` (one row per article: its scheme and
minhashes) and `article_bands` (one row per article and LSH band key, the lookup index). They are written and
deleted together with the article's other rows, in the batch's transaction. The similarity rule itself lives in
extractors/dedup.py; here are only the storage and the candidate lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

from schema.records import ArticleSignature, KnownArticle

SIGNATURE_TABLES = {
    "article_signatures": (
        "article_id VARCHAR NOT NULL, scheme VARCHAR NOT NULL, minhashes BIGINT[] NOT NULL",
        "MinHash signature of each article's word shingles (near-duplicate detection, extractors/dedup.py).",
    ),
    "article_bands": (
        "article_id VARCHAR NOT NULL, band_key BIGINT NOT NULL",
        "LSH band keys of each article's signature: articles sharing keys are compared as near-duplicates.",
    ),
}


def ensure_signature_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name, (ddl, comment) in SIGNATURE_TABLES.items():
        con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({ddl})')
        quoted = comment.replace("'", "''")
        con.execute(f"COMMENT ON TABLE \"{name}\" IS '{quoted}'")


def replace_signatures(
    con: duckdb.DuckDBPyConnection, article_ids: Sequence[str], signatures: Sequence[ArticleSignature]
) -> None:
    """Delete the signatures of these articles and store the given ones (call inside the batch's transaction)."""
    ids = pa.table({"article_id": pa.array(list(article_ids), pa.string())})
    con.register("_signature_ids", ids)
    for table in SIGNATURE_TABLES:
        con.execute(f'DELETE FROM "{table}" WHERE article_id IN (SELECT article_id FROM _signature_ids)')
    con.unregister("_signature_ids")
    if not signatures:
        return
    rows = pa.table(
        {
            "article_id": pa.array([s.article_id for s in signatures], pa.string()),
            "scheme": pa.array([s.scheme for s in signatures], pa.string()),
            "minhashes": pa.array([list(s.minhashes) for s in signatures], pa.list_(pa.int64())),
        }
    )
    bands = pa.table(
        {
            "article_id": pa.array([s.article_id for s in signatures for _ in s.band_keys], pa.string()),
            "band_key": pa.array([k for s in signatures for k in s.band_keys], pa.int64()),
        }
    )
    con.register("_signature_rows", rows)
    con.execute("INSERT INTO article_signatures BY NAME SELECT * FROM _signature_rows")
    con.unregister("_signature_rows")
    con.register("_band_rows", bands)
    con.execute("INSERT INTO article_bands BY NAME SELECT * FROM _band_rows")
    con.unregister("_band_rows")


CANDIDATES_SQL = """
WITH hits AS (
    SELECT b.article_id
    FROM article_bands b JOIN _probe p ON p.band_key = b.band_key
    WHERE b.article_id NOT IN (SELECT article_id FROM _batch)
    GROUP BY b.article_id, p.article_id
    HAVING count(*) >= ?
),
groups AS (
    SELECT coalesce(a.duplicate_of, a.article_id) AS original
    FROM articles a
    WHERE a.article_id IN (SELECT article_id FROM hits) OR a.article_id IN (SELECT article_id FROM _batch)
),
chosen AS (
    SELECT a.article_id, a.published_date, a.duplicate_of
    FROM articles a
    WHERE a.article_id NOT IN (SELECT article_id FROM _batch)
      AND (a.article_id IN (SELECT article_id FROM hits)
           OR a.article_id IN (SELECT original FROM groups)
           OR a.duplicate_of IN (SELECT original FROM groups))
),
keys AS (
    SELECT article_id, list(band_key ORDER BY band_key) AS band_keys
    FROM article_bands
    WHERE article_id IN (SELECT article_id FROM chosen)
    GROUP BY article_id
)
SELECT c.article_id, c.published_date, c.duplicate_of, s.minhashes, k.band_keys
FROM chosen c
LEFT JOIN article_signatures s ON s.article_id = c.article_id AND s.scheme = ?
LEFT JOIN keys k ON k.article_id = c.article_id
ORDER BY c.article_id
"""


def duplicate_candidates(
    con: duckdb.DuckDBPyConnection, signatures: Sequence[ArticleSignature], scheme: str, min_shared_bands: int
) -> list[KnownArticle]:
    """Stored articles (outside the batch) sharing at least `min_shared_bands` band keys with a batch article, and
    every member of their stored near-duplicate groups and of the batch articles' earlier groups."""
    if not signatures:
        return []
    probe = pa.table(
        {
            "article_id": pa.array([s.article_id for s in signatures for _ in s.band_keys], pa.string()),
            "band_key": pa.array([k for s in signatures for k in s.band_keys], pa.int64()),
        }
    )
    batch = pa.table({"article_id": pa.array([s.article_id for s in signatures], pa.string())})
    cursor = con.cursor()
    try:
        cursor.register("_probe", probe)
        cursor.register("_batch", batch)
        rows = cursor.execute(CANDIDATES_SQL, [min_shared_bands, scheme]).fetchall()
    finally:
        cursor.close()
    # The stored band keys come along, so a batch does not hash every candidate's bands again; they are those of
    # the stored signature's scheme, so they count only when that is the scheme asked for.
    return [
        KnownArticle(
            article_id=aid,
            published_date=published,
            duplicate_of=duplicate_of,
            minhashes=tuple(values) if values is not None else None,
            band_keys=tuple(keys or ()) if values is not None else (),
        )
        for aid, published, duplicate_of, values, keys in rows
    ]


def set_duplicates(con: duckdb.DuckDBPyConnection, verdicts: Mapping[str, str | None]) -> None:
    """Set articles.duplicate_of of stored articles whose verdict changed (call inside a transaction)."""
    if not verdicts:
        return
    table = pa.table(
        {
            "article_id": pa.array(list(verdicts), pa.string()),
            "duplicate_of": pa.array(list(verdicts.values()), pa.string()),
        }
    )
    con.register("_verdicts", table)
    con.execute(
        "UPDATE articles SET duplicate_of = v.duplicate_of FROM _verdicts v WHERE articles.article_id = v.article_id"
    )
    con.unregister("_verdicts")
