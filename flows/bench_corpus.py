"""A benchmark corpus of any size from the seed and gold articles, varied so that every article is its own story.

`eventcoder bench` needs thousands of articles, and the project ships about fifty. Copies would be caught by the
content hash and the near-duplicate check (extractors/dedup.py), so each corpus article is built from one base
article's headline and lead and a random part of its other paragraphs, mixed with paragraphs of other articles; then
the countries it names are swapped for others (name, demonym and capital together), the persons the ontology knows
for others, weekdays and months are permuted, numbers changed, and the publication date moved by up to two years.
Each swap is consistent within the article, so it still reads (and codes) like news about two or three actors.

Deterministic: the same size and seed give the same records, byte for byte (one `random.Random` per article, seeded
from the seed and the article's position, so article i does not depend on how many come before it).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.clean import clean_document
from extractors.load import discover_inputs, read_documents
from schema.config import DEFAULT_ONTOLOGY_DIR, PROJECT_ROOT
from schema.ontology import Ontology, load_ontology
from schema.records import RawDocument

BASE_INPUTS = (PROJECT_ROOT / "seeds" / "articles", PROJECT_ROOT / "tests" / "gold" / "articles.jsonl")
RECORDS_PER_FILE = 500
MAX_DAYS_SHIFT = 730
# An article that states no publication date is placed here (then moved like the others).
UNDATED_BASE = dt.date(2024, 1, 1)
# Years stay: moving "in 2009" to "in 2047" would turn background into news (events.py `_is_historical`).
YEAR = re.compile(r"^(1[89]|20)\d\d$")
NUMBER = re.compile(r"\b\d+\b")
WORD = re.compile(r"[^\W\d_]+")
SURNAME = re.compile(r"^[A-Z][a-z]{2,}$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # not "May": it is also a verb
# The body after the lead: this many paragraphs, each of runs of up to RUN consecutive sentences of the pool.
BODY_PARAGRAPHS = (3, 5)
SENTENCES_PER_PARAGRAPH = (1, 3)
RUN = 2
# A sentence ends at . ! or ? (and a closing quote) before a space and a capital or an opening quote; not after an
# initial or a title ("U.S. Navy", "Mr. Abe").
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“A-Z])")
NOT_AN_END = re.compile(r"(\b[A-Z]|\b(Mr|Mrs|Ms|Dr|Gen|Lt|Col|Sgt|St|No|Jan|Feb|Aug|Sept|Oct|Nov|Dec))\.$")


@dataclass(frozen=True)
class BaseArticle:
    title: str | None
    outlet: str | None
    published: dt.date
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Named:
    """A country or a person as the text writes it: forms by slot (a country's name, demonyms and capital; a
    person's full and short name). A form is replaced by the same slot of the other one."""

    kind: str
    key: str
    forms: tuple[str, ...]


def load_bases(inputs: Iterable[Path] = BASE_INPUTS) -> list[BaseArticle]:
    """The cleaned base articles, split into paragraphs (blank-line separated, as the pipeline sees them)."""
    bases = []
    for item in read_documents(discover_inputs(inputs)):
        if not isinstance(item, RawDocument):
            continue
        article = clean_document(item, max_chars=2_000_000)
        paragraphs = tuple(p.strip() for p in article.text.split("\n\n") if p.strip())
        stated = article.published_date if article.date_source in {"header", "field"} else None
        bases.append(BaseArticle(article.title, article.outlet, stated or UNDATED_BASE, paragraphs))
    return bases


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, cut at sentence-final punctuation (good enough to reuse them one by one)."""
    sentences: list[str] = []
    last = 0
    for match in SENTENCE_END.finditer(paragraph):
        head = paragraph[last : match.start()].rstrip()
        if NOT_AN_END.search(head):
            continue
        sentences.append(paragraph[last : match.end()].strip())
        last = match.end()
    sentences.append(paragraph[last:].strip())
    return [s for s in sentences if s]


def names_of(ontology: Ontology) -> list[Named]:
    """Countries with a name, demonyms and a capital; persons by full name and surname."""
    named = []
    for country in sorted(ontology.countries.values(), key=lambda c: c.iso3):
        demonyms = [_capitalised(d) for d in country.demonyms[:2]]
        if demonyms and country.capital:
            # "Japanese" is singular and plural: both slots.
            forms = (country.name, demonyms[0], demonyms[-1], country.capital)
            named.append(Named("country", country.iso3, forms))
    for person in sorted(ontology.persons.values(), key=lambda p: p.person_id):
        words = person.name.split()
        # A surname is swapped alone too ("Abe"), but not a regnal number ("Abdullah II") or an initial.
        if len(words) >= 2 and all(w[:1].isupper() for w in words) and SURNAME.match(words[-1]):
            named.append(Named("person", person.person_id, (person.name, words[-1])))
    return named


def _capitalised(word: str) -> str:
    return " ".join(part[:1].upper() + part[1:] for part in word.split(" "))


class CorpusBuilder:
    """Builds corpus article i from the bases; `records(n)` streams the first n."""

    def __init__(self, bases: Sequence[BaseArticle], named: Sequence[Named], seed: int = 0) -> None:
        if not bases:
            raise ValueError("a benchmark corpus needs at least one base article")
        self.bases = list(bases)
        self.seed = seed
        # Every paragraph after a lead, as its sentences: the body of an article is drawn from all of them.
        self.pool = [split_sentences(p) for base in self.bases for p in base.paragraphs[1:]]
        self.by_kind: dict[str, list[Named]] = {}
        self.by_form: dict[str, tuple[Named, int]] = {}
        for item in named:
            self.by_kind.setdefault(item.kind, []).append(item)
            for slot, form in enumerate(item.forms):
                self.by_form.setdefault(form, (item, slot))
        for slot, day in enumerate(WEEKDAYS):
            self.by_form[day] = (Named("weekday", day, (day,)), slot)
        for slot, month in enumerate(MONTHS):
            self.by_form[month] = (Named("month", month, (month,)), slot)
        self.longest = max(len(WORD.findall(f)) for f in self.by_form)

    def record(self, i: int) -> dict[str, str]:
        rng = random.Random(f"eventcoder-bench:{self.seed}:{i}")
        base = self.bases[rng.randrange(len(self.bases))]
        # The headline and the lead's first sentence stay together: they say what the article is about.
        paragraphs = split_sentences(base.paragraphs[0])[:1] if base.paragraphs else []
        for _ in range(rng.randint(*BODY_PARAGRAPHS)):
            sentences: list[str] = []
            for _ in range(rng.randint(*SENTENCES_PER_PARAGRAPH)):
                source = rng.choice(self.pool)
                start = rng.randrange(len(source))
                sentences += source[start : start + rng.randint(1, RUN)]
            paragraphs.append(" ".join(sentences))
        swap = self._swap_map(" ".join([base.title or "", *paragraphs]), rng)
        text = "\n\n".join(self._numbers(self._swapped(p, swap), rng) for p in paragraphs)
        published = base.published + dt.timedelta(days=rng.randint(-MAX_DAYS_SHIFT, MAX_DAYS_SHIFT))
        record = {"id": f"bench-{i:06d}", "published": published.isoformat(), "text": text}
        if base.title:
            record["title"] = self._swapped(base.title, swap)
        if base.outlet:
            record["outlet"] = base.outlet
        return record

    def records(self, n: int) -> Iterator[dict[str, str]]:
        return (self.record(i) for i in range(n))

    def _swap_map(self, text: str, rng: random.Random) -> dict[str, str]:
        """Each form the text uses -> the same form of another country or person (one the text does not name), or
        of a permuted weekday or month."""
        forms = {form for _, _, form in self._occurrences(text)}
        found = {self.by_form[f][0] for f in forms}
        pairs: dict[str, Named] = {}
        for kind, members in sorted(self.by_kind.items()):
            named = sorted((n for n in found if n.kind == kind), key=lambda n: n.key)
            free = [m for m in members if m not in found]
            pairs.update(zip((n.key for n in named), rng.sample(free, min(len(named), len(free))), strict=False))
        days, months = list(WEEKDAYS), list(MONTHS)
        rng.shuffle(days)
        rng.shuffle(months)
        mapping = dict(zip(WEEKDAYS, days, strict=True)) | dict(zip(MONTHS, months, strict=True))
        for form in forms:
            item, slot = self.by_form[form]
            other = pairs.get(item.key)
            if other is not None:
                mapping[form] = other.forms[min(slot, len(other.forms) - 1)]
        return mapping

    def _occurrences(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, form) of every known form, longest first at each word ("South Korea" before "Korea")."""
        words = list(WORD.finditer(text))
        i = 0
        while i < len(words):
            found = None
            if words[i].group(0)[:1].isupper():
                for length in range(min(self.longest, len(words) - i), 0, -1):
                    start, end = words[i].start(), words[i + length - 1].end()
                    if text[start:end] in self.by_form and (end == len(text) or not text[end].isalnum()):
                        found = (start, end, text[start:end], length)
                        break
            if found is None:
                i += 1
                continue
            yield found[:3]
            i += found[3]

    def _swapped(self, text: str, mapping: dict[str, str]) -> str:
        out, last = [], 0
        for start, end, form in self._occurrences(text):
            out += [text[last:start], mapping.get(form, form)]
            last = end
        return "".join([*out, text[last:]])

    @staticmethod
    def _numbers(text: str, rng: random.Random) -> str:
        """Other numbers of the same number of digits (years excepted)."""

        def replace(match: re.Match[str]) -> str:
            digits = match.group(0)
            if YEAR.match(digits):
                return digits
            low = 10 ** (len(digits) - 1) if len(digits) > 1 else 2
            return str(rng.randint(low, 10 ** len(digits) - 1))

        return NUMBER.sub(replace, text)


def default_builder(seed: int = 0) -> CorpusBuilder:
    return CorpusBuilder(load_bases(), names_of(load_ontology(DEFAULT_ONTOLOGY_DIR)), seed)


def write_corpus(records: Iterable[dict[str, str]], directory: Path, per_file: int = RECORDS_PER_FILE) -> list[Path]:
    """Write records as JSON-lines files of `per_file` records each (read lazily by the pipeline, file by file)."""
    directory.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    handle = None
    try:
        for n, record in enumerate(records):
            if n % per_file == 0:
                if handle is not None:
                    handle.close()
                files.append(directory / f"corpus-{len(files):04d}.jsonl")
                handle = files[-1].open("w", encoding="utf-8")
            assert handle is not None
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if handle is not None:
            handle.close()
    return files


def read_texts(files: Iterable[Path]) -> Iterator[str]:
    """The `text` of every record of corpus files, one at a time."""
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)["text"]
