"""The summary a run ends with, as Markdown: counts, rejects grouped by reason, coding rates.

`run_report` is a pure function of the run's summary: the Prefect flow publishes it as a markdown artifact, the
plain run logs it and the CLI prints it, so all three say the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from schema.records import Reject

if TYPE_CHECKING:
    from flows.pipeline import RunSummary

# The parts of a reason that name one record rather than the problem: quoted values, paths and URLs, numbers.
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
LOCATION = re.compile(r"[^\s;,()]*[/\\][^\s;,()]*")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
MAX_REASON_ROWS = 15


def reason_pattern(reason: str) -> str:
    """A reason with what is particular to one record blanked out, so that like rejects group together:
    'file is 12 bytes, over the 10 limit' -> 'file is N bytes, over the N limit'."""
    return NUMBER.sub("N", LOCATION.sub("…", QUOTED.sub("'…'", reason)))


@dataclass
class ReasonGroup:
    stage: str
    reason: str
    count: int
    example: str


@dataclass
class RejectTally:
    """Rejects counted by stage and reason pattern, with the first record met as an example. Its size is bounded
    by the number of distinct reasons, not by the number of rejects."""

    groups: dict[tuple[str, str], ReasonGroup] = field(default_factory=dict)

    def add(self, rejects: list[Reject]) -> None:
        for reject in rejects:
            key = (reject.stage, reason_pattern(reject.reason))
            group = self.groups.get(key)
            if group is None:
                self.groups[key] = ReasonGroup(reject.stage, key[1], 1, reject.uri)
            else:
                group.count += 1

    def largest(self) -> list[ReasonGroup]:
        return sorted(self.groups.values(), key=lambda g: (-g.count, g.stage, g.reason))


def _share(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}% ({part} of {whole})" if whole else "–"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def headline(summary: RunSummary) -> str:
    s = summary
    return (
        f"read {s.documents} documents in {s.seconds:.1f} s: {s.articles} articles (near-duplicates: "
        f"{s.duplicates}), {s.sentences} sentences, {s.mentions} event mentions, {s.rejects} rejects."
    )


def run_report(summary: RunSummary) -> str:
    s = summary
    files = s.inputs_total - s.feeds_total
    lines = [
        f"# eventcoder run `{s.run_id}`",
        "",
        headline(s)[0].upper() + headline(s)[1:],
        "",
        f"Inputs: {s.inputs_read} of {s.inputs_total} read ({_plural(files, 'file')}, "
        f"{_plural(s.feeds_total, 'feed')}); warehouse `{s.warehouse}`.",
    ]
    if s.only_new:
        lines += [
            "",
            f"Only new: left out as read before {_plural(s.skipped.get('files', 0), 'file')}, "
            f"{_plural(s.skipped.get('entries', 0), 'feed entry', 'feed entries')} and "
            f"{_plural(s.skipped.get('documents', 0), 'document')}.",
        ]
    totals = s.totals
    events = s.rates.events if s.rates is not None else None
    rows = [
        ("articles", s.articles, totals.get("articles")),
        ("sentences", s.sentences, totals.get("sentences")),
        ("event mentions", s.mentions, totals.get("mentions")),
        ("events", events, totals.get("events")),
        ("rejects", s.rejects, totals.get("rejects")),
        ("near-duplicate articles", s.duplicates, totals.get("duplicates")),
    ]
    lines += ["", "| | this run | warehouse |", "|---|---:|---:|"]
    lines += [f"| {name} | {_num(run)} | {_num(total)} |" for name, run, total in rows]
    lines += ["", "## Rejects by reason", ""]
    groups = s.reject_reasons.largest()
    if not groups:
        lines.append("None.")
    else:
        lines += ["| stage | reason | count | for example |", "|---|---|---:|---|"]
        lines += [
            f"| {g.stage} | {_cell(g.reason)} | {g.count} | `{_cell(g.example).replace('`', '')}` |"
            for g in groups[:MAX_REASON_ROWS]
        ]
        if len(groups) > MAX_REASON_ROWS:
            rest = sum(g.count for g in groups[MAX_REASON_ROWS:])
            lines.append(f"| | {len(groups) - MAX_REASON_ROWS} other reasons | {rest} | |")
    rates = s.rates
    lines += ["", "## Coding rates", ""]
    if rates is None or rates.articles == 0:
        lines.append("No article was coded in this run.")
    else:
        lines += [
            f"Over the {_plural(rates.articles, 'article')} this run coded, after the event rollup:",
            "",
            "| rate | value |",
            "|---|---:|",
            f"| events per article | {rates.events / rates.articles:.2f} ({rates.events} events) |",
            f"| sentences with an event mention | {_share(rates.sentences_with_mention, rates.sentences)} |",
            f"| articles with at least one event | {_share(rates.articles_with_event, rates.articles)} |",
            f"| near-duplicate articles | {_share(rates.duplicates, rates.articles)} |",
        ]
    return "\n".join(lines) + "\n"


def _num(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"
