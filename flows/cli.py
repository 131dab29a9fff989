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
    on_bad_input: Annotated[
        str, typer.Option(help="quarantine: bad records go to `rejects` and the run goes on; fail: stop.")
    ] = "quarantine",
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run to release the warehouse.")] = 0.0,
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
        bad_input_policy=policy,
        lock_timeout_seconds=wait,
    )
    if prefect:
        from flows.flow import eventcoder_flow

        summary = eventcoder_flow(config)
    else:
        from flows.pipeline import run_pipeline

        summary = run_pipeline(config)
    totals = summary.totals
    typer.echo(
        f"eventcoder: read {summary.documents} documents in {summary.seconds:.1f} s: "
        f"{summary.articles} articles (near-duplicates: {summary.duplicates}), "
        f"{summary.sentences} sentences, {summary.mentions} event mentions, {summary.rejects} rejects."
    )
    typer.echo(
        f"warehouse {warehouse}/eventcoder.duckdb now holds "
        + ", ".join(f"{totals[k]} {k}" for k in ("articles", "sentences", "mentions", "events", "rejects"))
        + f" (near-duplicate articles: {totals['duplicates']}); Parquet under {warehouse}/parquet/."
    )
    typer.echo("Try:")
    where = f" --warehouse {warehouse}" if str(warehouse) != "data" else ""
    typer.echo(f'  {_program()} sql "{FIRST_QUERY}"{where}')


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
) -> None:
    """Run SQL on the warehouse and print the result."""
    from warehouse.store import Warehouse

    if output not in ("table", "csv", "json"):
        raise typer.BadParameter("must be table, csv or json", param_hint="--format")
    with Warehouse.open_read_only(warehouse) as wh:
        columns, rows = wh.query(query)
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
