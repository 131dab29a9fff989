"""The pipeline as a plain library call: load -> clean -> parse -> code -> validate -> warehouse.

`run_pipeline(config)` runs it with no orchestrator. The Prefect flow (flows/flow.py) runs the very same loop with
each stage wrapped in a task, by passing its own `Stages`; Prefect adds retries and run records, never logic.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from extractors.clean import clean_document
from extractors.dedup import signature
from extractors.events import EventCoder, stable_id
from extractors.load import PAYLOAD_CHARS, discover_inputs
from extractors.nlp import load_model, parse_articles, parse_zone, split_sentences
from flows.duplicates import mark_duplicates
from flows.inputs import InputStream
from flows.ledger import batch_ledger
from flows.parallel import code_in_processes
from flows.progress import Progress, ProgressReporter
from flows.run_report import RejectTally, run_report
from schema.config import PROJECT_ROOT, PipelineConfig
from schema.errors import RecordRejected
from schema.ontology import Ontology, load_ontology
from schema.records import (
    ActorCandidate,
    Article,
    ArticleSignature,
    EventMention,
    LedgerEntry,
    RawDocument,
    Reject,
    Run,
    Sentence,
)
from warehouse.crashpoints import crash_point
from warehouse.ledger import RunRates
from warehouse.parquet import ExportStats, export_all
from warehouse.parquet_manifest import ParquetTarget
from warehouse.store import Warehouse, counts_json

log = logging.getLogger("eventcoder")


class BatchResult(BaseModel):
    """What coding one batch of documents produced; written to the warehouse in one transaction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    articles: list[Article]
    sentences: list[Sentence]
    mentions: list[EventMention]
    rejects: list[Reject]
    candidates: list[ActorCandidate] = []
    signatures: list[ArticleSignature] = []
    # What the batch read, by content hash (flows/ledger.py), written in the batch's transaction.
    ledger: list[LedgerEntry] = []


@dataclass
class RunSummary:
    run_id: str
    warehouse: Path
    seconds: float
    documents: int = 0
    articles: int = 0
    sentences: int = 0
    mentions: int = 0
    rejects: int = 0
    duplicates: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    # Daily runs and the run's report (flows/run_report.py).
    only_new: bool = False
    inputs_total: int = 0
    feeds_total: int = 0
    inputs_read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    reject_reasons: RejectTally = field(default_factory=RejectTally)
    rates: RunRates | None = None
    report: str = ""

    def progress(self, batch: int, seconds: float) -> Progress:
        return Progress(
            run_id=self.run_id,
            batch=batch,
            inputs_done=self.inputs_read,
            inputs_total=self.inputs_total,
            documents=self.documents,
            articles=self.articles,
            mentions=self.mentions,
            rejects=self.rejects,
            skipped=sum(self.skipped.values()),
            seconds=seconds,
        )


class Stages(Protocol):
    def code_batches(
        self, batches: Iterable[list[RawDocument | RecordRejected]], config: PipelineConfig, run_id: str
    ) -> Iterator[tuple[list[RawDocument | RecordRejected], BatchResult]]: ...

    def write(self, warehouse: Warehouse, result: BatchResult, config: PipelineConfig) -> int: ...

    def finalize(self, warehouse: Warehouse, config: PipelineConfig) -> dict[str, int]: ...


# -- the stages, as plain functions -----------------------------------------------------------------------------
@lru_cache(maxsize=2)
def cached_ontology(directory: Path) -> Ontology:
    return load_ontology(directory)


@lru_cache(maxsize=2)
def cached_coder(directory: Path, model: str) -> EventCoder:
    return EventCoder(cached_ontology(directory), load_model(model))


def to_reject(error: RecordRejected, run_id: str) -> Reject:
    return Reject(
        reject_id=stable_id(error.stage, error.uri, error.reason),
        run_id=run_id,
        stage=error.stage,
        uri=error.uri,
        reason=error.reason,
        payload=error.payload[:PAYLOAD_CHARS],
    )


def code_documents(documents: list[RawDocument | RecordRejected], config: PipelineConfig, run_id: str) -> BatchResult:
    """Clean, parse and code one batch. Bad records become Reject rows; they never stop the batch."""
    rejects: list[Reject] = []
    articles: dict[str, Article] = {}
    for item in documents:
        if isinstance(item, RecordRejected):
            rejects.append(to_reject(item, run_id))
            continue
        try:
            article = clean_document(item, max_chars=config.max_article_chars, run_date=run_date_of(run_id))
        except RecordRejected as exc:
            rejects.append(to_reject(exc, run_id))
            continue
        if article.article_id in articles:
            first = articles[article.article_id].uri
            rejects.append(to_reject(RecordRejected("clean", item.uri, f"same text as {first}; kept that one"), run_id))
            continue
        articles[article.article_id] = article
    coder = cached_coder(config.ontology_dir, config.spacy_model)
    n_process = config.n_process if len(articles) >= config.multiprocess_min_articles else 1
    sentences: list[Sentence] = []
    mentions: list[EventMention] = []
    candidates: list[ActorCandidate] = []
    nlp = load_model(config.spacy_model)
    # Strings and lexemes of the batch's texts are freed when its Docs are done with (extractors/nlp.py): memory
    # stays flat over any number of batches. Only plain records leave the zone.
    with parse_zone(nlp):
        parsed = parse_articles(nlp, articles.values(), batch_size=config.parse_batch_size, n_process=n_process)
        for article, doc in parsed:
            article_sentences = split_sentences(article, doc)
            try:
                coded = coder.code(article, doc, article_sentences)
            except ValidationError as exc:
                reason = f"a coded event failed validation: {exc.errors()[0]['msg']}"
                error = RecordRejected("validate", article.uri, reason, article.text[:PAYLOAD_CHARS])
                rejects.append(to_reject(error, run_id))
            except Exception as exc:
                # A bug of ours, not of the input: logged with its traceback, kept as a reject, the batch goes on.
                log.exception("coding %s failed", article.uri)
                reason = f"coding failed ({type(exc).__name__}: {str(exc)[:200]}); please report it"
                error = RecordRejected("code", article.uri, reason, article.text[:PAYLOAD_CHARS])
                rejects.append(to_reject(error, run_id))
            else:
                mentions.extend(coded.mentions)
                candidates.extend(coded.candidates)
            sentences.extend(article_sentences)
    return BatchResult(
        articles=list(articles.values()),
        sentences=sentences,
        mentions=mentions,
        rejects=rejects,
        candidates=candidates,
        signatures=[signature(a, config.duplicates) for a in articles.values()],
    )


def write_result(warehouse: Warehouse, result: BatchResult, config: PipelineConfig) -> int:
    """Judge the batch's near-duplicates against the warehouse, then write it (its events recomputed with it).
    Returns how many of the batch's articles are duplicates."""
    verdicts = mark_duplicates(warehouse, result.articles, result.signatures, config.duplicates)
    warehouse.write_batch(
        verdicts.articles,
        result.sentences,
        result.mentions,
        result.rejects,
        result.candidates,
        signatures=result.signatures,
        duplicate_updates=verdicts.stored_updates,
        rollup=config.rollup,
        ledger=result.ledger,
    )
    return sum(1 for a in verdicts.articles if a.duplicate_of is not None)


def export_parquet(warehouse: Warehouse, config: PipelineConfig) -> ExportStats:
    """Bring the Parquet copy up to date: only partitions that differ from the warehouse are written, and whatever a
    killed export left half done is repaired (warehouse/parquet.py)."""
    stats = export_all(warehouse, ParquetTarget.of(config.parquet_uri or config.parquet_dir))
    log.info(
        "parquet: %d partitions written, %d removed, %d unchanged in %.2f s",
        stats.written,
        stats.removed,
        stats.kept,
        stats.seconds,
    )
    return stats


def finalize(warehouse: Warehouse, config: PipelineConfig) -> dict[str, int]:
    # Events are recomputed batch by batch; this only rebuilds them when the rollup rules changed since the last run.
    warehouse.apply_rollup_rules(config.rollup)
    export_parquet(warehouse, config)
    _, rows = warehouse.query("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL")
    return warehouse.counts() | {"duplicates": int(rows[0][0])}


def code_batches(
    batches: Iterable[list[RawDocument | RecordRejected]], config: PipelineConfig, run_id: str
) -> Iterator[tuple[list[RawDocument | RecordRejected], BatchResult]]:
    """Each batch with what coding it gave, in input order: here, or on `config.workers` processes."""
    return code_in_processes(code_documents, batches, config, run_id)


class PlainStages:
    code_batches = staticmethod(code_batches)
    write = staticmethod(write_result)
    finalize = staticmethod(finalize)


# -- the driver -------------------------------------------------------------------------------------------------
def batched(items: Iterable[RawDocument | RecordRejected], size: int) -> Iterator[list[RawDocument | RecordRejected]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def code_version() -> str:
    version = metadata.version("eventcoder")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+g{commit}" if commit else version


def new_run_id(started: dt.datetime) -> str:
    return f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def run_date_of(run_id: str) -> dt.date:
    """The (UTC) day a run started, read from its id; today for an id of another shape."""
    try:
        return dt.datetime.strptime(run_id[:8], "%Y%m%d").date()
    except ValueError:
        return dt.datetime.now(dt.UTC).date()


def run_pipeline(
    config: PipelineConfig, stages: Stages | None = None, progress: ProgressReporter | None = None
) -> RunSummary:
    """Run the whole pipeline over config.inputs into config.warehouse; returns what it did. With
    config.only_new, what the warehouse's ledger holds is left out (flows/inputs.py)."""
    stages = stages or PlainStages()
    progress = progress or ProgressReporter()
    clock = time.monotonic()
    started = dt.datetime.now(dt.UTC)
    run_id = new_run_id(started)
    files = discover_inputs(config.inputs)
    ontology = cached_ontology(config.ontology_dir)
    summary = RunSummary(
        run_id=run_id,
        warehouse=config.warehouse,
        seconds=0.0,
        only_new=config.only_new,
        inputs_total=len(files) + len(config.feeds),
        feeds_total=len(config.feeds),
    )
    inputs_json = json.dumps([str(p) for p in config.inputs] + list(config.feeds))
    with Warehouse.open(
        config.warehouse,
        lock_timeout=config.lock_timeout_seconds,
        memory_limit=config.duckdb_memory_limit,
        threads=config.duckdb_threads,
    ) as warehouse:
        for stale in warehouse.mark_interrupted_runs():
            log.warning("run %s was interrupted (killed before it finished); marked as such", stale)
        warehouse.load_ontology(ontology)
        run = Run(
            run_id=run_id,
            started_at=started,
            finished_at=None,
            status="running",
            code_version=code_version(),
            ontology_version=ontology.version,
            counts="{}",
            inputs=inputs_json,
        )
        warehouse.record_run(run)
        crash_point("run-recorded")
        # Lazy: files are read and feeds fetched batch by batch; with only_new, what the ledger holds is left out.
        documents = InputStream(
            files, config.feeds, warehouse, run_id, only_new=config.only_new, lookup_size=config.articles_per_batch
        )
        progress.started(summary.progress(0, 0.0))
        try:
            # In input order; with config.workers > 1 the next batches are coded while this one is written.
            coded = stages.code_batches(batched(documents, config.articles_per_batch), config, run_id)
            for number, (batch, result) in enumerate(coded, start=1):
                result = result.model_copy(
                    update={"ledger": batch_ledger(batch, result.articles, run_id, dt.datetime.now(dt.UTC))}
                )
                if config.bad_input_policy == "fail" and result.rejects:
                    first = result.rejects[0]
                    raise RecordRejected(first.stage, first.uri, first.reason, first.payload)
                summary.duplicates += stages.write(warehouse, result, config)
                crash_point("batch-committed")
                summary.documents += len(batch)
                summary.articles += len(result.articles)
                summary.sentences += len(result.sentences)
                summary.mentions += len(result.mentions)
                summary.rejects += len(result.rejects)
                summary.reject_reasons.add(result.rejects)
                summary.inputs_read, summary.skipped = documents.done, dict(documents.skipped)
                progress.advanced(summary.progress(number, time.monotonic() - clock))
            summary.inputs_read, summary.skipped = documents.done, dict(documents.skipped)
            # The files read in full, once all their documents are in (a killed run reads them again).
            warehouse.record_ledger(documents.finished_rows())
            summary.totals = stages.finalize(warehouse, config)
            summary.rates = warehouse.run_rates(run_id)
        except BaseException:
            warehouse.record_run(run.model_copy(update={"status": "failed", "finished_at": dt.datetime.now(dt.UTC)}))
            raise
        this_run = {
            "documents": summary.documents,
            "articles": summary.articles,
            "sentences": summary.sentences,
            "mentions": summary.mentions,
            "rejects": summary.rejects,
            "duplicates": summary.duplicates,
            "skipped": sum(summary.skipped.values()),
        }
        warehouse.record_run(
            run.model_copy(
                update={
                    "status": "completed",
                    "finished_at": dt.datetime.now(dt.UTC),
                    "counts": counts_json(this_run | {f"total_{k}": v for k, v in summary.totals.items()}),
                }
            )
        )
        # The export ran before the run was marked completed: bring the copy's `runs` up to date (one partition).
        export_parquet(warehouse, config)
    summary.seconds = time.monotonic() - clock
    summary.report = run_report(summary)
    progress.finished(summary.progress(-1, summary.seconds), summary.report)
    return summary
