"""`eventcoder bench`: how fast the whole pipeline is next to spaCy alone, and how much memory it needs.

One call builds a corpus of N articles (flows/bench_corpus.py), writes it as JSON-lines files, then times in the
same process, with the same spaCy model object, batch size and process count:
- end-to-end: `run_pipeline` (plain, no Prefect) from the files to a fresh warehouse, Parquet export included;
- parse-only: `nlp.pipe` over the same texts, read from the same files, every Doc consumed and dropped.
The model, the ontology and the coder are loaded before either clock starts (start-up is reported apart), and
the model parses a few texts first, so neither timing pays for a cold start. The end-to-end run goes first, so
the peak memory read after it is the pipeline's own (the parse-only pass keeps no Docs, but spaCy's string store
grows with every new word in it).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import spacy

from extractors.nlp import load_model
from flows.bench_corpus import default_builder, read_texts, write_corpus
from flows.pipeline import cached_coder, run_pipeline
from schema.config import PipelineConfig
from schema.errors import ConfigError
from warehouse.store import Warehouse

WARM_UP_TEXTS = 16
RATIO_LINE = "throughput ratio end-to-end/parse-only: {ratio:.2f} ({a:.1f} articles/s vs {b:.1f} articles/s)"


@dataclass(frozen=True)
class BenchResult:
    articles: int
    processes: int
    batch_size: int
    startup_seconds: float
    corpus_seconds: float
    end_to_end_seconds: float
    parse_only_seconds: float
    coded_articles: int
    duplicates: int
    rejects: int
    mentions: int
    peak_rss_end_to_end_mb: float  # this process, at the end of the end-to-end run
    peak_rss_mb: float  # this process, at the end
    peak_rss_children_mb: float  # the largest finished child process (spaCy's workers)

    @property
    def end_to_end_rate(self) -> float:
        return self.articles / self.end_to_end_seconds

    @property
    def parse_only_rate(self) -> float:
        return self.articles / self.parse_only_seconds

    @property
    def ratio(self) -> float:
        return self.end_to_end_rate / self.parse_only_rate

    def lines(self) -> list[str]:
        """The report; its last line is the one the issue asks for."""
        return [
            f"corpus: {self.articles} articles built and written in {self.corpus_seconds:.1f} s; start-up (model, "
            f"ontology, coder) {self.startup_seconds:.1f} s, outside both timings",
            f"order: end-to-end first, then parse-only; one warm model object, batch size {self.batch_size}, "
            f"{self.processes} process{'es' if self.processes > 1 else ''}",
            f"end-to-end: {self.end_to_end_seconds:.1f} s, {self.coded_articles} articles in the warehouse "
            f"({self.duplicates} marked near-duplicates), {self.mentions} mentions, {self.rejects} rejects",
            f"parse-only: {self.parse_only_seconds:.1f} s",
            f"peak memory: {self.peak_rss_end_to_end_mb:.0f} MB RSS after end-to-end, {self.peak_rss_mb:.0f} MB at "
            f"the end (this process), {self.peak_rss_children_mb:.0f} MB largest child process",
            RATIO_LINE.format(ratio=self.ratio, a=self.end_to_end_rate, b=self.parse_only_rate),
        ]


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far; ru_maxrss is in kilobytes on Linux, bytes on macOS."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@contextmanager
def _workspace(warehouse: Path | None) -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory(prefix="eventcoder-bench-") as tmp:
        target = warehouse if warehouse is not None else Path(tmp) / "warehouse"
        if target.exists() and any(target.iterdir()):
            raise ConfigError(f"bench needs a new or empty warehouse directory; {target} holds files")
        yield Path(tmp) / "corpus", target


def run_bench(
    articles: int = 2000,
    *,
    processes: int = 1,
    warehouse: Path | None = None,
    seed: int = 0,
    base: PipelineConfig | None = None,
) -> BenchResult:
    """Build the corpus, then time the pipeline and spaCy over it; see the module docstring."""
    if articles < 1:
        raise ConfigError("bench needs at least one article (--articles N)")
    defaults = base or PipelineConfig()
    with _workspace(warehouse) as (corpus_dir, warehouse_dir):
        clock = time.monotonic()
        files = write_corpus(default_builder(seed).records(articles), corpus_dir)
        corpus_seconds = time.monotonic() - clock
        # P processes end to end: the pipeline's own worker pool (flows/parallel.py), one spaCy process each.
        config = defaults.model_copy(
            update={"inputs": (corpus_dir,), "warehouse": warehouse_dir, "workers": processes, "n_process": 1}
        )
        clock = time.monotonic()
        cached_coder(config.ontology_dir, config.spacy_model)
        stock = spacy.load(config.spacy_model)  # spaCy as shipped: the model's own components, nothing of ours
        for nlp in (load_model(config.spacy_model), stock):
            for _ in nlp.pipe(islice(read_texts(files), WARM_UP_TEXTS), batch_size=config.parse_batch_size):
                pass
        startup_seconds = time.monotonic() - clock

        clock = time.monotonic()
        summary = run_pipeline(config)
        end_to_end_seconds = time.monotonic() - clock
        peak_end_to_end = peak_rss_mb()

        clock = time.monotonic()
        for _ in stock.pipe(read_texts(files), batch_size=config.parse_batch_size, n_process=processes):
            pass
        parse_only_seconds = time.monotonic() - clock

        with Warehouse.open_read_only(warehouse_dir) as stored:
            _, rows = stored.query("SELECT count(*), count(duplicate_of) FROM articles")
    coded, duplicates = int(rows[0][0]), int(rows[0][1])
    return BenchResult(
        articles=articles,
        processes=processes,
        batch_size=config.parse_batch_size,
        startup_seconds=startup_seconds,
        corpus_seconds=corpus_seconds,
        end_to_end_seconds=end_to_end_seconds,
        parse_only_seconds=parse_only_seconds,
        coded_articles=coded,
        duplicates=duplicates,
        rejects=summary.rejects,
        mentions=summary.mentions,
        peak_rss_end_to_end_mb=peak_end_to_end,
        peak_rss_mb=peak_rss_mb(),
        peak_rss_children_mb=peak_rss_mb(resource.RUSAGE_CHILDREN),
    )
