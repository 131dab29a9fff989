"""The `eventcoder` command line. It only wraps the library; every error a user can cause is one line and a
non-zero exit, never a traceback."""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer

from schema.config import DEFAULT_MODEL, DEFAULT_ONTOLOGY_DIR, PipelineConfig
from schema.errors import EventcoderError, QueryError

app = typer.Typer(
    name="eventcoder",
    help="News articles in, a CAMEO-coded political event dataset out (Parquet + DuckDB).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

FIRST_QUERY = (
    "SELECT e.event_date, e.source_actor, e.target_actor, e.event_code, c.name, e.num_mentions "
    "FROM events e JOIN cameo_codes c ON c.code = e.event_code ORDER BY e.num_mentions DESC LIMIT 10"
)
EXIT_USER_ERROR = 2
WarehouseOption = Annotated[Path, typer.Option("--warehouse", "-w", help="Warehouse directory.")]
F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn eventcoder's own errors into one line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EventcoderError as exc:
            typer.echo(f"eventcoder: {exc}", err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@user_errors
def run(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or directories of articles (.txt, .json, .jsonl, .csv, .html, .rss/.atom/.xml feeds, "
            ".warc/.warc.gz web archives), or RSS/Atom feed URLs (http/https). Default: seeds/articles.",
        ),
    ] = None,
    warehouse: WarehouseOption = Path("data"),
    model: Annotated[str, typer.Option(help="spaCy pipeline package to parse with.")] = DEFAULT_MODEL,
    ontology: Annotated[Path, typer.Option(help="Ontology directory.")] = DEFAULT_ONTOLOGY_DIR,
    batch_size: Annotated[int, typer.Option(help="Articles per batch (one task each).")] = 200,
    processes: Annotated[int, typer.Option(help="spaCy processes for large batches.")] = 1,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Batches coded at once on worker processes (a Dask cluster under Prefect, a process pool with "
            "--plain); writes stay serial, in input order, so the result equals a serial run's. See docs/scaling.md.",
        ),
    ] = 1,
    parquet_to: Annotated[
        str | None,
        typer.Option(
            help="Write the Parquet copy here instead of WAREHOUSE/parquet: a directory or a URI (file:///dir, "
            "s3://bucket/prefix, gs://bucket/prefix).",
        ),
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Existing Dask scheduler (tcp://host:8786) for the workers; default: a local cluster."),
    ] = None,
    on_bad_input: Annotated[
        str, typer.Option(help="quarantine: bad records go to `rejects` and the run goes on; fail: stop.")
    ] = "quarantine",
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run to release the warehouse.")] = 0.0,
    new_only: Annotated[
        bool,
        typer.Option(
            "--new-only",
            help="Code only what the warehouse's ledger has not read before (files and documents by content hash, "
            "feed entries by guid or link), as the daily scheduled run does. Without it, everything given is coded "
            "again (idempotently).",
        ),
    ] = False,
    show_progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar on stderr. Default: when it is a terminal."),
    ] = None,
    prefect: Annotated[
        bool, typer.Option("--prefect/--plain", help="Run as a Prefect flow, or as plain Python.")
    ] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each batch.")] = False,
) -> None:
    """Code articles into the warehouse (idempotent: the same input gives the same rows and ids)."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    if on_bad_input not in ("quarantine", "fail"):
        raise typer.BadParameter("must be quarantine or fail", param_hint="--on-bad-input")
    policy: Literal["quarantine", "fail"] = "fail" if on_bad_input == "fail" else "quarantine"
    from extractors.load import split_inputs

    # Strings, not Paths: a Path would fold the "//" of a feed URL.
    paths, feeds = split_inputs(inputs or [])
    config = PipelineConfig(
        **({"inputs": paths, "feeds": feeds} if inputs else {}),
        warehouse=warehouse,
        spacy_model=model,
        ontology_dir=ontology,
        articles_per_batch=batch_size,
        n_process=processes,
        workers=workers,
        dask_address=dask_address,
        parquet_uri=parquet_to,
        bad_input_policy=policy,
        lock_timeout_seconds=wait,
        only_new=new_only,
    )
    if dask_address and not prefect:
        raise typer.BadParameter(
            "a Dask cluster runs the Prefect flow's tasks: drop --plain", param_hint="--dask-address"
        )
    bar = sys.stderr.isatty() if show_progress is None else show_progress
    with _progress(bar):
        if prefect:
            from flows.flow import eventcoder_flow

            summary = eventcoder_flow(config)
        else:
            from flows.pipeline import run_pipeline

            summary = run_pipeline(config)
    if bar or not verbose:  # else the run's log has shown the report already
        typer.echo(summary.report)
    totals = summary.totals
    typer.echo(
        f"warehouse {warehouse}/eventcoder.duckdb now holds "
        + ", ".join(f"{totals[k]} {k}" for k in ("articles", "sentences", "mentions", "events", "rejects"))
        + f" (near-duplicate articles: {totals['duplicates']}); Parquet under {parquet_to or f'{warehouse}/parquet/'}."
    )
    typer.echo("Try:")
    where = f" --warehouse {warehouse}" if str(warehouse) != "data" else ""
    typer.echo(f'  {_program()} sql "{FIRST_QUERY}"{where}')


def _progress(enabled: bool) -> AbstractContextManager[None]:
    if not enabled:
        return nullcontext()
    from rich.console import Console

    from flows.cli_progress import progress_bar

    return progress_bar(Console(stderr=True))


def _program() -> str:
    """How the user can call us again: `eventcoder` if it is on PATH, else the path they ran (.venv/bin/...)."""
    if shutil.which("eventcoder"):
        return "eventcoder"
    invoked = Path(sys.argv[0])
    if invoked.name == "eventcoder" and invoked.exists():
        return os.path.relpath(invoked)
    return "eventcoder"


@app.command()
@user_errors
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse (read-only).")],
    warehouse: WarehouseOption = Path("data"),
    output: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    wait: Annotated[
        float,
        typer.Option(help="Seconds to wait for a run that is writing the warehouse; then the Parquet copy answers."),
    ] = 0.0,
) -> None:
    """Run SQL on the warehouse and print the result. While a run writes the warehouse, the answer comes from its
    Parquet copy (the state of the last finished export), with a note on stderr saying so."""
    from warehouse.snapshot import query_warehouse

    if output not in ("table", "csv", "json"):
        raise typer.BadParameter("must be table, csv or json", param_hint="--format")
    answer = query_warehouse(warehouse, query, wait=wait)
    if answer.note:
        typer.echo(f"eventcoder: note: {answer.note}", err=True)
    columns, rows = answer.columns, answer.rows
    if not columns:
        raise QueryError("the statement returned no result set")
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output == "json":
        for row in rows:
            typer.echo(json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False))
    else:
        typer.echo(format_table(columns, rows))


@app.command()
@user_errors
def export(
    warehouse: WarehouseOption = Path("data"),
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the release under.")] = Path("release"),
    replace: Annotated[bool, typer.Option("--replace", help="Write the release again if that version exists.")] = False,
) -> None:
    """Write a versioned dataset release: events and mentions as Parquet and gzipped CSV, CODEBOOK.md,
    datapackage.json (Frictionless) and SHA256SUMS, under OUT/eventcoder-<date>-<hash>/."""
    from warehouse.release import export_release

    release = export_release(warehouse, out, replace=replace)
    rows = release.info.rows
    typer.echo(
        f"eventcoder: wrote release {release.info.version} to {release.path}: {rows.get('events', 0)} events, "
        f"{rows.get('mentions', 0)} mentions; {len(release.files)} files, {release.bytes / 1024:.0f} KiB, "
        f"in {release.seconds:.1f} s."
    )
    typer.echo(f"Check it: cd {release.path} && sha256sum -c SHA256SUMS && frictionless validate datapackage.json")


@app.command(name="eval")
@user_errors
def evaluate_command(
    gold: Annotated[
        Path,
        typer.Argument(
            help="Gold file: events JSONL (articles.jsonl or articles/ beside it) or PETR XML; or a directory, "
            "whose events.jsonl files are scored together."
        ),
    ],
    warehouse: Annotated[
        Path | None, typer.Option("--warehouse", "-w", help="Score this warehouse instead of coding the gold articles.")
    ] = None,
    show: Annotated[int, typer.Option(help="How many misses and extras to list.")] = 20,
) -> None:
    """Precision, recall and F1 of coded events against a gold file, with misses and extras."""
    from flows.evaluate import evaluate, report

    typer.echo(report(evaluate(gold, PipelineConfig(), warehouse), show=show))


@app.command()
@user_errors
def serve(
    inbox: Annotated[
        Path, typer.Option(help="Directory new article files are dropped into (created if missing).")
    ] = Path("inbox"),
    feed: Annotated[list[str] | None, typer.Option(help="RSS/Atom feed URL to read every day (repeat it).")] = None,
    warehouse: WarehouseOption = Path("data"),
    at: Annotated[str, typer.Option(help="Time of day to run, HH:MM (24-hour clock).")] = "06:00",
    timezone: Annotated[str, typer.Option(help="IANA timezone of --at (UTC, Europe/Berlin, ...).")] = "UTC",
    cron: Annotated[str | None, typer.Option(help="A cron string instead of --at ('0 6 * * 1-5').")] = None,
    name: Annotated[str, typer.Option(help="Deployment name (the flow is eventcoder-run).")] = "daily",
) -> None:
    """Serve the daily scheduled run (Prefect): every day at --at in --timezone, code what is new in the inbox and
    the feeds into the warehouse (--new-only). Needs a Prefect server (PREFECT_API_URL); runs until Ctrl-C."""
    # Served runs log their progress to the Prefect server; a user's own setting wins.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    from flows.schedule import DailySchedule, daily_config, daily_deployment, require_server, serve_daily

    schedule = DailySchedule.parse(at, timezone, cron)
    require_server()
    inbox.mkdir(parents=True, exist_ok=True)
    config = daily_config(inbox, tuple(feed or ()), warehouse)
    deployment = daily_deployment(config, schedule, name)
    typer.echo(
        f"eventcoder: serving eventcoder-run/{name}: '{schedule.cron_string}' ({schedule.timezone}), new articles "
        f"from {config.inputs[0]} and {len(config.feeds)} feeds into {config.warehouse}. Ctrl-C stops it."
    )
    serve_daily(deployment)


@app.command(name="report")
@user_errors
def report_command(
    warehouse: WarehouseOption = Path("data"),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file to write. Default: WAREHOUSE/report.html.")
    ] = None,
    top_dyads: Annotated[int, typer.Option(min=1, help="How many dyads to show.")] = 10,
) -> None:
    """One self-contained HTML page (no network needed): events over time by quad class, top dyads, a map of event
    locations, coverage by outlet."""
    from warehouse.report import write_report

    result = write_report(warehouse, out or warehouse / "report.html", top_dyads=top_dyads)
    typer.echo(
        f"eventcoder: wrote {result.path} ({result.bytes / 1024:.0f} KiB): {result.events} events, "
        f"{result.places} located places, top {result.dyads} dyads."
    )


@app.command()
@user_errors
def bench(
    articles: Annotated[int, typer.Option(min=1, help="Size of the generated corpus, in articles.")] = 2000,
    processes: Annotated[
        int, typer.Option(min=1, help="Processes for both timings (pipeline workers; spaCy n_process).")
    ] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the corpus generator (same seed, same corpus).")] = 0,
) -> None:
    """Time the whole pipeline (load to warehouse) against spaCy's plain nlp.pipe over the same texts, and report
    peak memory. The last line is the throughput ratio. See docs/benchmarks.md."""
    from flows.bench import run_bench

    for line in run_bench(articles, processes=processes, seed=seed).lines():
        typer.echo(line)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> str:
    """A plain aligned text table; long cells are cut with an ellipsis."""

    def cell(value: Any) -> str:
        text = "NULL" if value is None else str(value).replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    body = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
