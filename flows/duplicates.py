"""Near-duplicate verdicts for a batch against everything already stored: the warehouse finds the stored candidates,
extractors/dedup.py judges them. Kept here because it needs both sides, which never import each other."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.dedup import MIN_SHARED_BANDS, resolve_duplicates, scheme
from schema.config import DuplicateRules
from schema.records import Article, ArticleSignature
from warehouse.store import Warehouse


@dataclass(frozen=True)
class DuplicateVerdicts:
    articles: list[Article]  # the batch's articles with duplicate_of set
    stored_updates: dict[str, str | None]  # stored articles whose duplicate_of changes (a new copy is the original)


def mark_duplicates(
    warehouse: Warehouse, articles: list[Article], signatures: list[ArticleSignature], rules: DuplicateRules
) -> DuplicateVerdicts:
    by_id = {s.article_id: s for s in signatures}
    known = warehouse.duplicate_candidates(signatures, scheme(rules), MIN_SHARED_BANDS)
    verdict = resolve_duplicates([(a, by_id[a.article_id]) for a in articles if a.article_id in by_id], known, rules)
    marked = [
        a
        if verdict.get(a.article_id) == a.duplicate_of
        else a.model_copy(update={"duplicate_of": verdict[a.article_id]})
        for a in articles
    ]
    updates = {k.article_id: verdict[k.article_id] for k in known if verdict.get(k.article_id) != k.duplicate_of}
    return DuplicateVerdicts(articles=marked, stored_updates=updates)
