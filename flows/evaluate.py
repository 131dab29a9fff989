"""Score coded events against a gold file: precision, recall and F1 at three levels, with misses and extras.

Levels: `country+root` compares the first three letters of each actor code and the CAMEO root; `sector+root` the
whole actor codes and the root; `full` the whole actor codes and the whole event code. Events are compared per
sentence (JSON-lines gold) or per gold record (PETR XML): a system event counts once against one gold event.

Gold formats:
- JSON lines, one gold event per line: {"article", "sentence" (a substring of the article text), "source",
  "target", "code"}; the articles themselves in `articles.jsonl` beside it, or else in a directory `articles/`
  beside it (a symlink to one will do; any files `run` reads), coded into a temporary warehouse. An article is
  named by its record id, or by its file's stem when the file holds one article (`000_db574cf0ac1b8b3f`).
- PETRARCH validation XML (`<Sentence id date>`, `<EventCoding sourcecode targetcode eventcode>`, `<Text>`); each
  sentence is coded as its own article.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.pipeline import run_pipeline
from schema.config import PipelineConfig
from schema.errors import ConfigError
from schema.records import NON_EVENT_MODALITIES
from warehouse.store import Warehouse

Triple = tuple[str, str, str]  # source, target, code ("" for none)
Unit = str
LEVELS: dict[str, Callable[[Triple], Triple]] = {
    "country+root": lambda t: (t[0][:3], t[1][:3], t[2][:2]),
    "sector+root": lambda t: (t[0], t[1], t[2][:2]),
    "full": lambda t: t,
}


@dataclass
class Score:
    level: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[tuple[Unit, Triple]] = field(default_factory=list)
    extras: list[tuple[Unit, Triple]] = field(default_factory=list)
    # When and where, over matched events whose gold states them (JSON-lines gold, country+root level only).
    dates: int = 0
    dates_right: int = 0
    dates_undated: int = 0
    places: int = 0
    places_right: int = 0
    wrong_when_where: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(gold: dict[Unit, list[Triple]], system: dict[Unit, list[Triple]]) -> list[Score]:
    """Multiset match of gold and system events per unit, at every level."""
    scores = []
    for level, project in LEVELS.items():
        result = Score(level)
        for unit in sorted(set(gold) | set(system)):
            expected = Counter(project(t) for t in gold.get(unit, []))
            found = Counter(project(t) for t in system.get(unit, []))
            matched = expected & found
            result.tp += sum(matched.values())
            for triple, n in (expected - matched).items():
                result.fn += n
                result.misses.extend([(unit, triple)] * n)
            for triple, n in (found - matched).items():
                result.fp += n
                result.extras.extend([(unit, triple)] * n)
        scores.append(result)
    return scores


def _triple(source: str | None, target: str | None, code: str) -> Triple:
    return (source or "", target or "", code)


# -- PETRARCH validation XML ------------------------------------------------------------------------------------
SENTENCE_RE = re.compile(r"<Sentence\b([^>]*)>(.*?)(?=<Sentence\b|</Sentences>)", re.S)
ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
TEXT_RE = re.compile(r"<Text>(.*?)</Text>", re.S)
PARSE_RE = re.compile(r"<Parse>(.*?)</Parse>", re.S)
CODING_RE = re.compile(r"<EventCoding\b([^>]*)/?>")


@dataclass(frozen=True)
class GoldSentence:
    unit: str
    date: str
    text: str
    events: list[Triple]


def read_petr_xml(path: Path) -> list[GoldSentence]:
    """Read the sentences to evaluate; tolerant of the file's loose XML (self-closed <Sentence/> with a body)."""
    sentences = []
    for match in SENTENCE_RE.finditer(path.read_text(encoding="utf-8")):
        attrs = dict(ATTR_RE.findall(match.group(1)))
        text = TEXT_RE.search(match.group(2))
        if text is None or attrs.get("evaluate", "true") != "true":
            continue
        events = []
        for coding in CODING_RE.findall(match.group(2)):
            c = dict(ATTR_RE.findall(coding))
            if c.get("eventcode"):
                events.append(_triple(c.get("sourcecode"), c.get("targetcode"), c["eventcode"]))
        date = attrs.get("date", "")
        iso = f"{date[:4]}-{date[4:6]}-{date[6:8]}" if len(date) == 8 else None
        body = " ".join(html.unescape(text.group(1)).split()) or _surface_text(match.group(2))
        sentences.append(GoldSentence(attrs["id"], iso or "", body, events))
    return sentences


def _surface_text(block: str) -> str:
    """A record whose <Text> is empty: rebuild the words (only the words) from its CoNLL-U token column."""
    parse = PARSE_RE.search(block)
    if parse is None:
        return ""
    out = []
    for line in parse.group(1).strip().splitlines():
        cols = line.split("\t")
        if len(cols) >= 10 and cols[0].isdigit():
            out.append(cols[1] + ("" if "SpaceAfter=No" in cols[9] else " "))
    return "".join(out).strip()


def evaluate_petr(path: Path, config: PipelineConfig) -> list[Score]:
    sentences = read_petr_xml(path)
    with tempfile.TemporaryDirectory(prefix="eventcoder-eval-") as tmp:
        records = Path(tmp) / "petr.jsonl"
        records.write_text(
            "\n".join(
                json.dumps({"id": s.unit, "text": s.text, **({"published": s.date} if s.date else {})})
                for s in sentences
            ),
            encoding="utf-8",
        )
        run_config = config.model_copy(update={"inputs": (records,), "warehouse": Path(tmp) / "wh"})
        run_pipeline(run_config)
        with Warehouse.open_read_only(run_config.warehouse) as wh:
            _, rows = wh.query(
                "SELECT a.uri, m.source_actor, m.target_actor, m.event_code "
                f"FROM mentions m JOIN articles a USING (article_id) WHERE m.modality NOT IN {NON_EVENT_MODALITIES}"
            )
    system: dict[Unit, list[Triple]] = {}
    for uri, source, target, code in rows:
        system.setdefault(uri.rsplit("#", 1)[1], []).append(_triple(source, target, code))
    gold = {s.unit: s.events for s in sentences}
    return score(gold, system)


# -- JSON-lines gold --------------------------------------------------------------------------------------------
def _gold_articles(path: Path) -> Path:
    """The articles a JSON-lines gold file refers to: `articles.jsonl` beside it, else a directory `articles/`."""
    articles_file = path.with_name("articles.jsonl")
    if articles_file.is_file():
        return articles_file
    articles_dir = path.with_name("articles")
    if articles_dir.is_dir():  # follows a symlink
        return articles_dir
    raise ConfigError(
        f"{path}: no articles.jsonl or articles/ directory beside it; pass --warehouse with the coded articles"
    )


def evaluate_jsonl(path: Path, config: PipelineConfig, warehouse: Path | None) -> list[Score]:
    gold_rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="eventcoder-eval-") as tmp:
        if warehouse is None:
            articles_input = _gold_articles(path)
            warehouse = Path(tmp) / "wh"
            run_pipeline(config.model_copy(update={"inputs": (articles_input,), "warehouse": warehouse}))
        with Warehouse.open_read_only(warehouse) as wh:
            _, articles = wh.query("SELECT article_id, uri, text, date_source FROM articles")
            _, sentences = wh.query("SELECT article_id, sentence_index, char_start, char_end FROM sentences")
            _, mentions = wh.query(
                "SELECT article_id, sentence_index, source_actor, target_actor, event_code, event_date, "
                "date_precision, location_name, admin1, country_code FROM mentions "
                f"WHERE modality NOT IN {NON_EVENT_MODALITIES}"
            )
    by_key: dict[str, tuple[str, str]] = {}
    undated: set[str] = set()  # articles whose publication date is only the file's or the run's
    for article_id, uri, text, date_source in articles:
        key = uri.rsplit("#", 1)[1] if "#" in uri else Path(uri).stem
        by_key[key] = (article_id, text)
        if date_source in {"file", "run"}:
            undated.add(key)
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for article_id, index, start, end in sentences:
        spans.setdefault(article_id, []).append((start, end, index))
    gold: dict[Unit, list[Triple]] = {}
    gold_rows_by_unit: dict[Unit, list[dict[str, Any]]] = {}
    gold_articles = set()
    for row in gold_rows:
        if row["article"] not in by_key:
            raise ConfigError(f"{path}: gold article {row['article']!r} is not in the warehouse")
        article_id, text = by_key[row["article"]]
        gold_articles.add(article_id)
        offset = text.find(row["sentence"])
        if offset < 0:
            raise ConfigError(f"{path}: sentence {row['sentence'][:40]!r} is not in article {row['article']}")
        index = next(i for s, e, i in spans[article_id] if s <= offset < e)
        unit = f"{row['article']}/{index}"
        gold.setdefault(unit, []).append(_triple(row["source"], row.get("target"), row["code"]))
        gold_rows_by_unit.setdefault(unit, []).append(row)
    key_of = {aid: key for key, (aid, _) in by_key.items()}
    system: dict[Unit, list[Triple]] = {}
    system_rows: dict[Unit, list[tuple[Any, ...]]] = {}
    for article_id, index, source, target, code, *when_where in mentions:
        if article_id in gold_articles:
            unit = f"{key_of[article_id]}/{index}"
            system.setdefault(unit, []).append(_triple(source, target, code))
            system_rows.setdefault(unit, []).append((_triple(source, target, code), *when_where))
    scores = score(gold, system)
    _score_when_where(scores[0], gold_rows_by_unit, system_rows, undated)
    return scores


def _score_when_where(
    result: Score,
    gold_rows: dict[Unit, list[dict[str, Any]]],
    system_rows: dict[Unit, list[tuple[Any, ...]]],
    undated: set[str],
) -> None:
    """Pair each gold event with a system mention of the same country dyad and root, and check its date (right day
    and precision) and place (right country, and right town or region where the gold names one). Dates in articles
    that state no publication date are counted apart: relative dates there rest on the file's date, which no coder
    can know is the day of publication."""
    project = LEVELS["country+root"]
    for unit, rows in gold_rows.items():
        pool = list(system_rows.get(unit, []))
        for row in rows:
            wanted = project(_triple(row["source"], row.get("target"), row["code"]))
            candidates = [m for m in pool if project(m[0]) == wanted]
            if not candidates:
                continue
            date_ok = [m for m in candidates if _date_right(row, m)]
            chosen = date_ok[0] if date_ok else candidates[0]
            pool.remove(chosen)
            if row.get("date_precision") and row["article"] in undated:
                result.dates_undated += 1
            elif row.get("date_precision"):
                result.dates += 1
                if _date_right(row, chosen):
                    result.dates_right += 1
                else:
                    result.wrong_when_where.append(
                        f"{unit}: date {row.get('date')} ({row['date_precision']}) coded {chosen[1]} ({chosen[2]})"
                    )
            if row.get("country"):
                result.places += 1
                if _place_right(row, chosen):
                    result.places_right += 1
                else:
                    result.wrong_when_where.append(
                        f"{unit}: place {row.get('place')}, {row['country']} coded {chosen[3]}, {chosen[5]}"
                    )


def _date_right(row: dict[str, Any], mention: tuple[Any, ...]) -> bool:
    _, day, precision, *_ = mention
    return str(day) == str(row.get("date")) and precision == row.get("date_precision")


def _place_right(row: dict[str, Any], mention: tuple[Any, ...]) -> bool:
    _, _, _, name, admin1, country = mention
    if country != row.get("country"):
        return False
    place = (row.get("place") or "").casefold()
    return not place or place in {(name or "").casefold(), (admin1 or "").casefold()}


def evaluate(gold: Path, config: PipelineConfig, warehouse: Path | None = None) -> list[Score]:
    """Score one gold file, or every `events.jsonl` under a gold directory together (each coded on its own)."""
    if not gold.exists():
        raise ConfigError(f"gold file {gold} does not exist")
    if gold.is_dir():
        files = sorted(gold.rglob("events.jsonl"))
        if not files:
            raise ConfigError(f"{gold}: no events.jsonl gold file under it")
        if warehouse is not None:
            raise ConfigError("--warehouse scores one gold file; pass the file, not a directory")
        return combine([evaluate_jsonl(f, config, None) for f in files], units=[f.parent.name for f in files])
    if gold.suffix.lower() == ".xml":
        return evaluate_petr(gold, config)
    return evaluate_jsonl(gold, config, warehouse)


def combine(runs: list[list[Score]], units: list[str]) -> list[Score]:
    """Add up the counts of several scorings, level by level; misses and extras keep their gold set's name."""
    combined = []
    for level_scores in zip(*runs, strict=True):
        total = Score(level_scores[0].level)
        for name, part in zip(units, level_scores, strict=True):
            total.tp += part.tp
            total.fp += part.fp
            total.fn += part.fn
            total.misses.extend((f"{name}:{u}", t) for u, t in part.misses)
            total.extras.extend((f"{name}:{u}", t) for u, t in part.extras)
            total.dates += part.dates
            total.dates_right += part.dates_right
            total.dates_undated += part.dates_undated
            total.places += part.places
            total.places_right += part.places_right
            total.wrong_when_where.extend(f"{name}:{w}" for w in part.wrong_when_where)
        combined.append(total)
    return combined


def report(scores: list[Score], show: int = 20) -> str:
    lines = [f"{'level':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]
    for s in scores:
        lines.append(f"{s.level:<14}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>7.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
    country = scores[0]
    if country.dates or country.places:
        lines.append("")
        checks = (("dates", country.dates_right, country.dates), ("places", country.places_right, country.places))
        for what, right, total in checks:
            share = right / total if total else 0.0
            lines.append(f"{what:<14}{right:>5} of {total:<5} matched gold events right ({share:.1%})")
        if country.dates_undated:
            lines.append(f"{'':<14}{country.dates_undated} more in articles with no stated date, not scored")
    for title, items in (("misses", country.misses), ("extras", country.extras)):
        lines.append(f"\n{title} at country+root ({len(items)}):")
        lines += [f"  {unit}: {' '.join(t or '-' for t in triple)}" for unit, triple in items[:show]]
        if len(items) > show:
            lines.append(f"  ... and {len(items) - show} more")
    if country.wrong_when_where:
        lines.append(f"\nwrong dates and places ({len(country.wrong_when_where)}):")
        lines += [f"  {w}" for w in country.wrong_when_where[:show]]
        if len(country.wrong_when_where) > show:
            lines.append(f"  ... and {len(country.wrong_when_where) - show} more")
    return "\n".join(lines)
