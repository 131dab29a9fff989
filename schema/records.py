"""Records that cross stage boundaries, and the rows of the warehouse tables.

Each model is the single field list of its table: the Arrow schema, the DuckDB DDL and the column comments are
derived from it (warehouse/tables.py), so the three cannot drift. Field descriptions are the codebook text.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Modality = Literal["asserted", "intended", "negated", "refused", "hypothetical", "habitual", "historical", "reported"]
# Mentions kept for tracing that do not become events: background from years ago, speculation ("might meet") and
# what is usual ("gangs often kidnap people").
NON_EVENT_MODALITIES = ("historical", "hypothetical", "habitual", "reported")
DatePrecision = Literal["day", "week", "month", "year", "publication", "unknown"]
DateSource = Literal["header", "field", "file", "run", "none"]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(Record):
    article_id: str = Field(description="Deterministic id: hash of the cleaned body text (16 hex chars).")
    uri: str = Field(description="Input file path, or `<file>#<id or line>` for a record in a JSON/CSV file.")
    outlet: str | None = Field(default=None, description="Publishing outlet or wire service, where stated.")
    url: str | None = Field(
        default=None,
        description="Web address of the article: a record's `url` field, an HTML page's canonical link, a feed "
        "entry's page, a WARC capture's target; null for plain text files.",
    )
    title: str | None = Field(default=None, description="Headline, where one could be told apart.")
    published_date: dt.date | None = Field(default=None, description="Publication date of the article.")
    date_source: DateSource = Field(
        default="none",
        description="Where published_date came from: a header line or a record field of the article (a JSON/CSV "
        "`published` field, an HTML page's publication-date metadata or a feed entry's publication date); or, as a "
        "flagged fallback when the article states none, the input file's date ('file': a saved file's date, a feed "
        "entry's update time, a web archive's crawl time) or the run date ('run').",
    )
    text: str = Field(description="Cleaned body text; sentence offsets index into it.")
    duplicate_of: str | None = Field(
        default=None,
        description="article_id of the original when this article is the same story as others (near-duplicate "
        "text, extractors/dedup.py): the earliest published of them, then the smallest article_id; null for an "
        "original or a unique article.",
    )
    removed_lines: int = Field(default=0, description="Boilerplate lines removed while cleaning.")


class Sentence(Record):
    article_id: str = Field(description="Article the sentence belongs to.")
    sentence_index: int = Field(description="0-based position of the sentence in the article.")
    text: str = Field(description="Sentence text, exactly as in the cleaned article.")
    char_start: int = Field(description="Offset of the first character in articles.text.")
    char_end: int = Field(description="Offset one past the last character in articles.text.")
    paragraph_index: int = Field(description="0-based paragraph (blank-line separated block) of the sentence.")


class EventMention(Record):
    mention_id: str = Field(description="Deterministic id of this coded event in this sentence.")
    event_id: str | None = Field(
        description="The rolled-up event this mention reports (events.event_id); null when the mention is not rolled "
        "up (historical, hypothetical, habitual or reported modality). The coder sets a provisional id; the "
        "warehouse replaces it when it rolls mentions up."
    )
    article_id: str = Field(description="Article of the sentence.")
    sentence_index: int = Field(description="Sentence the event was coded from (sentences.sentence_index).")
    source_actor: str | None = Field(description="CAMEO actor code of who acted (e.g. JPNGOV).")
    target_actor: str | None = Field(description="CAMEO actor code of whom it was done to.")
    event_code: str = Field(description="CAMEO event code, a string with leading zeros ('036', '0421').")
    root_code: str = Field(description="Two-digit CAMEO root of event_code ('03').")
    quad_class: int = Field(
        description="1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict."
    )
    goldstein: float = Field(description="Goldstein score of event_code (-10 .. +10).")
    modality: Modality = Field(
        description="asserted; intended (planned, promised, future: coded with the CAMEO intent code); refused "
        "('would not lift the ban', 'refused to meet': coded with the CAMEO refusal code, 12x); hypothetical "
        "(conditional or possible); historical (background from years before the article: kept here for "
        "tracing, not rolled up into events)."
    )
    event_date: dt.date | None = Field(description="Date the event happened, at date_precision.")
    date_precision: DatePrecision = Field(
        description="day, week, month, year; 'publication' when no date was stated and the article date is used."
    )
    date_text: str | None = Field(default=None, description="The date expression the date was resolved from.")
    event_date_end: dt.date | None = Field(
        default=None, description="Last day of a stated range ('November 15-17' ends on the 17th), else null."
    )
    location_name: str | None = Field(default=None, description="Where the event happened.")
    admin1: str | None = Field(default=None, description="First-level region (state, province) of the location.")
    country_code: str | None = Field(default=None, description="ISO 3166 alpha-3 of the event location.")
    latitude: float | None = Field(default=None, description="Latitude of the location (WGS84).")
    longitude: float | None = Field(default=None, description="Longitude of the location (WGS84).")
    geo_precision: int | None = Field(default=None, description="1 town, 2 region, 3 country (ACLED sense).")
    location_source: Literal["sentence", "dateline", "context", "actor"] | None = Field(
        default=None,
        description="Where the location was read: the event's own sentence, the article's dateline, the scene of "
        "an earlier event in the same paragraph or the lead that shares a country with it ('context'), or, for an "
        "act an actor does alone or at home, the actor's own country at country precision ('actor').",
    )
    fatalities: int | None = Field(default=None, description="Deaths the sentence states for the event; null if none.")
    fatalities_at_least: bool | None = Field(
        default=None, description="True when the number is a lower bound ('at least 59'); null without a number."
    )
    injured: int | None = Field(default=None, description="Injured the sentence states for the event; null if none.")
    injured_at_least: bool | None = Field(
        default=None, description="True when the number of injured is a lower bound; null without a number."
    )
    source_text: str = Field(description="Text of the source actor phrase as it appears in the sentence.")
    target_text: str | None = Field(description="Text of the target actor phrase.")
    verb_text: str = Field(description="Text of the words that triggered the event code.")
    pattern_id: str = Field(description="Id of the verb pattern (seeds/ontology/verb_patterns.csv) that matched.")
    confidence: float = Field(description="0..1: how sure the coder is of source, target and code together.")


class Event(Record):
    event_id: str = Field(
        description="Deterministic id: a hash of the rollup key (source, target, code family) and the date and place "
        "of the event's leading mention, so the same mentions give the same id in any batch or run order."
    )
    event_date: dt.date | None = Field(
        description="Date of the event: that of its leading mention, the earliest of its most precisely dated ones."
    )
    date_precision: DatePrecision = Field(description="Precision of event_date (day, publication, week, ...).")
    source_actor: str | None = Field(description="CAMEO actor code of who acted.")
    target_actor: str | None = Field(description="CAMEO actor code of whom it was done to.")
    event_code: str = Field(description="CAMEO event code (string): the code most of its mentions carry.")
    root_code: str = Field(description="Two-digit CAMEO root.")
    quad_class: int = Field(description="1..4, see mentions.quad_class.")
    goldstein: float = Field(description="Goldstein score of event_code.")
    plover_type: str | None = Field(description="PLOVER event type of event_code.")
    acled_event_type: str | None = Field(description="ACLED event type, where the code maps to one.")
    acled_sub_event_type: str | None = Field(description="ACLED sub-event type, where the code maps to one.")
    location_name: str | None = Field(
        description="Where the event happened: the most precise place its mentions give (town over region over "
        "country), the most often given among equals."
    )
    country_code: str | None = Field(description="ISO 3166 alpha-3 of the location.")
    latitude: float | None = Field(description="Latitude of the location.")
    longitude: float | None = Field(description="Longitude of the location.")
    num_mentions: int = Field(description="Mentions (coded sentences) reporting the event, duplicates' included.")
    num_articles: int = Field(description="Distinct articles reporting the event; near-duplicate copies count.")
    num_sources: int = Field(
        description="Distinct outlets reporting the event; an article with no outlet counts as its own source."
    )
    first_article_id: str = Field(
        description="Article reporting the event with the earliest published_date, then the smallest article_id."
    )
    first_seen: dt.date | None = Field(
        description="Earliest publication date (articles.published_date) of a report of the event."
    )
    last_seen: dt.date | None = Field(
        description="Latest publication date (articles.published_date) of a report of the event."
    )
    num_stories: int = Field(
        description="Distinct stories reporting the event: articles counted once per near-duplicate group "
        "(articles.duplicate_of).",
    )
    admin1: str | None = Field(description="First-level region of the location.")
    geo_precision: int | None = Field(description="1 town, 2 region, 3 country (ACLED sense).")
    fatalities: int | None = Field(
        description="Largest death toll any report of the event states (reports repeat a toll, so it is never "
        "summed); null when none states one.",
    )
    injured: int | None = Field(description="Largest number of injured any report states; null when none states one.")


class ArticleSignature(Record):
    """A MinHash signature of an article's word shingles, stored so that later runs can find its near-duplicates."""

    article_id: str = Field(description="Article the signature is of.")
    scheme: str = Field(
        description="How it was made (shingle size, permutations, band rows); only equal schemes compare."
    )
    minhashes: tuple[int, ...] = Field(description="One minimum hash per permutation; empty for a text with no words.")
    band_keys: tuple[int, ...] = Field(description="Hash of each band of minhashes, for the candidate lookup (LSH).")


class KnownArticle(Record):
    """An article already in the warehouse, as near-duplicate detection needs it."""

    article_id: str
    published_date: dt.date | None
    duplicate_of: str | None
    minhashes: tuple[int, ...] | None = None  # None: stored before signatures were kept, or in another scheme
    band_keys: tuple[int, ...] | None = None  # as stored with the minhashes; None: worked out from them


class ActorCandidate(Record):
    """An actor the ontology lacks, coded from what the text says about it, kept so the dictionary can grow."""

    candidate_id: str = Field(description="Deterministic id of (article_id, name).")
    article_id: str = Field(description="Article the name appears in.")
    sentence_index: int = Field(description="Sentence where the text states who the actor is.")
    name: str = Field(description="The name as written: 'Ana Ruiz', 'Kenya National Police Service'.")
    kind: Literal["person", "organization"] = Field(description="person or organization (spaCy's PERSON or ORG).")
    actor_code: str = Field(description="Actor code read from the text: country plus sector, e.g. PERGOV.")
    evidence: str = Field(description="The words that gave the code: the title or apposition.")
    via: Literal["title", "apposition"] = Field(
        description="title ('Defence Minister Ana Ruiz') or apposition ('Ana Ruiz, Peru's defence minister')."
    )


class Reject(Record):
    reject_id: str = Field(description="Deterministic id of (stage, uri, reason).")
    run_id: str = Field(description="Run that first met the problem.")
    stage: str = Field(description="Stage that could not use the record: load, clean, parse, code, validate.")
    uri: str = Field(description="File or record the problem is in.")
    reason: str = Field(description="What was wrong, in words, with what to do about it.")
    payload: str = Field(description="The start of the offending input (at most 2,000 characters).")


class Run(Record):
    run_id: str = Field(description="Id of the run (time-ordered).")
    started_at: dt.datetime = Field(description="When the run started (UTC).")
    finished_at: dt.datetime | None = Field(description="When it finished (UTC); null while running or if killed.")
    status: Literal["running", "completed", "failed", "interrupted"] = Field(
        description="running, completed, failed (it stopped on an error), or interrupted (it was killed; the next "
        "run found it still marked running). Batches a failed or interrupted run committed stay in the tables."
    )
    code_version: str = Field(description="eventcoder version (and git commit where known).")
    ontology_version: str = Field(description="seeds/ontology/VERSION plus a hash of the ontology files.")
    counts: str = Field(description="JSON object of counts: articles, sentences, mentions, events, rejects.")
    inputs: str = Field(description="JSON list of the inputs the run read.")


LedgerKind = Literal["file", "record", "entry"]


class LedgerEntry(Record):
    """What a run has read, so that a daily run (PipelineConfig.only_new) reads only what is new: an input file by
    the hash of its bytes, a document by the hash of its content, a feed entry by its guid and its link."""

    kind: LedgerKind = Field(
        description="file: an input file read in full; record: one input document (a text file, a JSON/CSV "
        "record, a page); entry: a feed entry whose page was read."
    )
    key: str = Field(
        description="file: blake2b-128 (hex) of the file's bytes; record: blake2b-128 of the document's text, "
        "title, outlet, url and published fields (not its path, so a moved or copied file is no new document); "
        "entry: the entry's guid or its link."
    )
    uri: str = Field(description="Where it was first read: file path, `<file>#<id>` or URL.")
    article_id: str | None = Field(description="Article the record or entry became; null for a file or a reject.")
    status: Literal["coded", "rejected"] = Field(
        description="coded: it gave an article (file: at least one document); rejected: it gave none (see "
        "`rejects`). Either way a daily run does not read it again until its content changes."
    )
    run_id: str = Field(description="Run that first read it.")
    first_seen: dt.datetime = Field(description="When it was first read (UTC).")
    last_run_id: str = Field(description="Latest run that read it (an explicit `eventcoder run` reads it again).")


class RawDocument(Record):
    """One input record before cleaning: a text file, one record of a JSON / JSON-lines / CSV file, a saved or
    fetched HTML page, a feed entry or an archived page of a WARC file."""

    uri: str
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    # ISO date of the flagged fallback: the input file's modification, a feed entry's update, a WARC capture.
    file_date: str | None = None
    # A feed entry's guid and link: a daily run (PipelineConfig.only_new) skips an entry the ledger holds under
    # either, before fetching its page.
    entry_keys: tuple[str, ...] = ()
