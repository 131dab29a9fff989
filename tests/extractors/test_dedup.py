"""Near-duplicate detection on real articles: the two versions of the Kyodo seed story are one story, the gold
articles (many short, distinct reports on similar topics) are not, and verdicts do not depend on batch order."""

from __future__ import annotations

import datetime as dt
import json
from itertools import combinations, permutations
from pathlib import Path

import pytest

from extractors.clean import clean_document
from extractors.dedup import (
    BAND_ROWS,
    NUM_PERM,
    band_keys,
    original_order,
    resolve_duplicates,
    scheme,
    shingles,
    signature,
    similarity,
)
from extractors.load import discover_inputs, read_documents
from schema.config import PROJECT_ROOT, DuplicateRules
from schema.records import Article, ArticleSignature, KnownArticle, RawDocument
from tests.conftest import SEEDS

RULES = DuplicateRules()
GOLD_ARTICLES = PROJECT_ROOT / "tests" / "gold" / "articles.jsonl"


def seed_articles() -> dict[str, Article]:
    """The seeds as the pipeline cleans them, by file number ('000' .. '004')."""
    out = {}
    for raw in read_documents(discover_inputs([SEEDS])):
        assert isinstance(raw, RawDocument)
        out[Path(raw.uri).name[:3]] = clean_document(raw, max_chars=1_000_000, run_date=dt.date(2026, 11, 23))
    return out


def gold_articles() -> list[Article]:
    articles = []
    for line in GOLD_ARTICLES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        raw = RawDocument(uri=record["id"], text=record["text"], published=record.get("published"))
        articles.append(clean_document(raw, max_chars=1_000_000))
    return articles


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return seed_articles()


def signed(articles: list[Article]) -> list[tuple[Article, ArticleSignature]]:
    return [(a, signature(a, RULES)) for a in articles]


def known(article: Article, sig: ArticleSignature, duplicate_of: str | None) -> KnownArticle:
    return KnownArticle(
        article_id=article.article_id,
        published_date=article.published_date,
        duplicate_of=duplicate_of,
        minhashes=sig.minhashes,
    )


def test_the_two_kyodo_versions_are_one_story(seeds: dict[str, Article]) -> None:
    scmp, kyodo = seeds["000"], seeds["002"]
    score = similarity(signature(scmp, RULES).minhashes, signature(kyodo, RULES).minhashes)
    assert score >= RULES.threshold
    verdict = resolve_duplicates(signed(list(seeds.values())), [], RULES)
    original, copy = sorted([scmp, kyodo], key=lambda a: original_order(a.article_id, a.published_date))
    assert verdict[copy.article_id] == original.article_id
    assert verdict[original.article_id] is None
    for other in ("001", "003", "004"):
        assert verdict[seeds[other].article_id] is None, other


def test_no_false_duplicates_among_the_gold_and_other_seed_articles(seeds: dict[str, Article]) -> None:
    articles = gold_articles() + [seeds[n] for n in ("001", "003", "004")]
    assert len(articles) == 50
    verdict = resolve_duplicates(signed(articles), [], RULES)
    assert all(v is None for v in verdict.values())
    sigs = [signature(a, RULES).minhashes for a in articles]
    highest = max(similarity(a, b) for a, b in combinations(sigs, 2))
    # Measured 0.055 (the estimate; the exact Jaccard of that pair is 0.026): far below the threshold.
    assert highest < RULES.threshold / 3


def test_signature_layout_and_estimate(seeds: dict[str, Article]) -> None:
    sig = signature(seeds["000"], RULES)
    assert len(sig.minhashes) == NUM_PERM and len(sig.band_keys) == NUM_PERM // BAND_ROWS
    assert similarity(sig.minhashes, sig.minhashes) == 1.0
    # The estimate is close to the exact Jaccard similarity of the two shingle sets.
    a, b = (shingles(seeds[n].text, RULES.shingle_words) for n in ("000", "002"))
    exact = len(a & b) / len(a | b)
    estimate = similarity(sig.minhashes, signature(seeds["002"], RULES).minhashes)
    assert abs(estimate - exact) < 0.1
    # Another shingle size is another scheme: its band keys never meet these.
    other = signature(seeds["000"], DuplicateRules(shingle_words=5))
    assert other.scheme != sig.scheme and not set(other.band_keys) & set(sig.band_keys)
    assert band_keys((), scheme(RULES)) == ()


def test_a_text_without_words_has_an_empty_signature_and_no_duplicates() -> None:
    blank = Article(article_id="blank", uri="x.txt", text="— … —")
    sig = signature(blank, RULES)
    assert sig.minhashes == () and sig.band_keys == ()
    twin = blank.model_copy(update={"article_id": "blank2"})
    assert resolve_duplicates([(blank, sig), (twin, signature(twin, RULES))], [], RULES) == {
        "blank": None,
        "blank2": None,
    }


def test_an_earlier_copy_arriving_later_becomes_the_original(seeds: dict[str, Article]) -> None:
    scmp, kyodo = seeds["000"], seeds["002"]
    # A third version of the story, published a day earlier, coded in a later run.
    early = Article(
        article_id="0000early",
        uri="early.txt",
        text=kyodo.text.split("\n\n", 1)[1],
        published_date=dt.date(2017, 4, 2),
    )
    first_run = resolve_duplicates(signed([scmp, kyodo]), [], RULES)
    stored = [known(a, signature(a, RULES), first_run[a.article_id]) for a in (scmp, kyodo)]
    later = resolve_duplicates(signed([early]), stored, RULES)
    assert later == {early.article_id: None, scmp.article_id: early.article_id, kyodo.article_id: early.article_id}


def test_verdicts_do_not_depend_on_batch_order(seeds: dict[str, Article]) -> None:
    articles = list(seeds.values()) + gold_articles()[:4]
    everything = resolve_duplicates(signed(articles), [], RULES)
    for order in list(permutations(range(3)))[:4]:
        # Three runs, in another order each time; each sees what the earlier ones stored.
        batches = [articles[i::3] for i in order]
        stored: dict[str, KnownArticle] = {}
        for batch in batches:
            verdict = resolve_duplicates(signed(batch), list(stored.values()), RULES)
            for article, sig in signed(batch):
                stored[article.article_id] = known(article, sig, verdict[article.article_id])
            for aid, original in verdict.items():
                stored[aid] = stored[aid].model_copy(update={"duplicate_of": original})
        assert {aid: k.duplicate_of for aid, k in stored.items()} == everything


def test_stored_band_keys_come_back_and_give_the_verdicts_of_recomputed_ones(
    tmp_path: Path, seeds: dict[str, Article]
) -> None:
    # The warehouse returns each candidate's stored band keys with its minhashes, so a batch does not hash them
    # again; a candidate stored under another scheme comes back with none.
    from warehouse.store import Warehouse

    scmp, kyodo = seeds["000"], seeds["002"]
    others = gold_articles()[:6]
    stored = signed([scmp, *others])
    with Warehouse.open(tmp_path / "wh") as wh:
        wh.write_batch([a for a, _ in stored], [], [], [], signatures=[s for _, s in stored])
        known_rows = wh.duplicate_candidates([signature(kyodo, RULES)], scheme(RULES), 2)
        other_scheme = wh.duplicate_candidates([signature(kyodo, RULES)], "minhash-v0", 2)
    assert scmp.article_id in {k.article_id for k in known_rows}
    keys_of = {a.article_id: set(s.band_keys) for a, s in stored}
    assert all(k.band_keys is not None and set(k.band_keys) == keys_of[k.article_id] for k in known_rows)
    assert other_scheme and all(k.band_keys == () and k.minhashes is None for k in other_scheme)
    recomputed = [k.model_copy(update={"band_keys": None}) for k in known_rows]
    batch = signed([kyodo])
    assert resolve_duplicates(batch, known_rows, RULES) == resolve_duplicates(batch, recomputed, RULES)
    assert resolve_duplicates(batch, known_rows, RULES)[kyodo.article_id] == scmp.article_id
