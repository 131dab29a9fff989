"""Near-duplicate articles: the same story from several outlets, found by MinHash over word shingles.

Pure: texts and signatures in, verdicts out; the warehouse stores the signatures and finds stored candidates.

- A *signature* is NUM_PERM minimum hashes of the article's set of overlapping `shingle_words`-word shingles
  (lower-cased `\\w+` words). The share of equal positions in two signatures estimates the Jaccard similarity of the
  two shingle sets.
- *Candidates* (LSH): the signature is cut into bands of BAND_ROWS minhashes; two articles are compared only when
  at least MIN_SHARED_BANDS of their band keys are equal. At the default threshold (0.3) a pair shares 5.8 bands on
  average and is a candidate with probability 0.98; at the 0.48 of the rewritten seed copy, 0.99999. Distinct
  articles on one topic (similarity about 0.02) become candidates 3 times in 10,000, so the stored lookup stays small.
- *Verdict*: candidates whose estimated similarity is at least the threshold are one story. The stories form
  groups (connected pairs), and each group's original is its earliest published article, then the smallest
  article_id; every other member gets `duplicate_of` = the original. The verdict depends only on the set of
  articles, never on the order of batches or runs.

The hash functions are derived from fixed strings, never from a random generator, so signatures stored by one run
(or one Python version) compare with those of any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from schema.config import DuplicateRules
from schema.records import Article, ArticleSignature, KnownArticle

NUM_PERM = 128
BAND_ROWS = 2
MIN_SHARED_BANDS = 2
_PRIME = (1 << 61) - 1  # Mersenne prime: h(x) = (a*x + b) mod p is a min-wise hash family over 61-bit values
_WORD = re.compile(r"\w+")


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


_COEFFICIENTS = tuple(
    (1 + _hash64(f"eventcoder-minhash-a-{i}") % (_PRIME - 1), _hash64(f"eventcoder-minhash-b-{i}") % _PRIME)
    for i in range(NUM_PERM)
)


def scheme(rules: DuplicateRules) -> str:
    """What makes two signatures comparable: the shingling and the hash layout."""
    return f"minhash-v1-w{rules.shingle_words}-p{NUM_PERM}-r{BAND_ROWS}"


def shingles(text: str, words: int) -> set[int]:
    """Hashes of the overlapping `words`-word shingles of the lower-cased text (one shingle if it is shorter)."""
    tokens = _WORD.findall(text.lower())
    if not tokens:
        return set()
    last = max(1, len(tokens) - words + 1)
    return {_hash64(" ".join(tokens[i : i + words])) % _PRIME for i in range(last)}


_A = np.array([a for a, _ in _COEFFICIENTS], dtype=np.uint64)[:, None]
_B = np.array([b for _, b in _COEFFICIENTS], dtype=np.uint64)[:, None]
_P = np.uint64(_PRIME)
_LOW32 = np.uint64(0xFFFFFFFF)
_LOW29 = np.uint64((1 << 29) - 1)
# Shingles per step: the (NUM_PERM x CHUNK) uint64 intermediates stay near 4 MB whatever the article's length.
_CHUNK = 4096


def _fold(values: np.ndarray) -> np.ndarray:
    """values mod p, for values < 2^63 (p = 2^61 - 1, so 2^61 = 1 mod p)."""
    folded = (values >> np.uint64(61)) + (values & _P)
    return np.where(folded >= _P, folded - _P, folded)


def _affine_mod(x: np.ndarray) -> np.ndarray:
    """(a * x + b) mod p for every coefficient pair (rows) and value (columns), exactly, in uint64 arithmetic: the
    61-bit product is split into 32-bit halves so no partial product overflows, then folded with 2^61 = 1 mod p."""
    a_hi, a_lo = _A >> np.uint64(32), _A & _LOW32  # a_hi < 2^29
    x_hi, x_lo = x >> np.uint64(32), x & _LOW32
    high = a_hi * x_hi  # weight 2^64 = 8 mod p; < 2^58
    middle = a_hi * x_lo + a_lo * x_hi  # weight 2^32; < 2^62
    low = a_lo * x_lo  # weight 1; < 2^64
    total = (
        (high << np.uint64(3))
        + (middle >> np.uint64(29))  # middle * 2^32 = (middle >> 29) * 2^61 + (middle & (2^29 - 1)) * 2^32
        + ((middle & _LOW29) << np.uint64(32))
        + (low >> np.uint64(61))
        + (low & _P)
    )  # < 2^63
    return _fold(_fold(total) + _B)


def minhashes(hashes: Iterable[int]) -> tuple[int, ...]:
    """For each coefficient pair (a, b): min over the hashes x of (a * x + b) mod p (vectorised; equal, value for
    value, to that formula in Python integers)."""
    values = np.fromiter(hashes, dtype=np.uint64)
    if not values.size:
        return ()
    lowest = np.full(NUM_PERM, _P, dtype=np.uint64)
    for start in range(0, values.size, _CHUNK):
        lowest = np.minimum(lowest, _affine_mod(values[None, start : start + _CHUNK]).min(axis=1))
    return tuple(int(v) for v in lowest)


def band_keys(signature: Sequence[int], scheme_name: str) -> tuple[int, ...]:
    """One key per band of BAND_ROWS minhashes; the scheme is in the key, so other schemes never collide."""
    if not signature:
        return ()
    keys = []
    for band in range(len(signature) // BAND_ROWS):
        rows = signature[band * BAND_ROWS : (band + 1) * BAND_ROWS]
        # 63 bits: the key fits DuckDB's signed BIGINT.
        keys.append(_hash64(f"{scheme_name}|{band}|{','.join(map(str, rows))}") >> 1)
    return tuple(keys)


def signature(article: Article, rules: DuplicateRules) -> ArticleSignature:
    name = scheme(rules)
    values = minhashes(shingles(article.text, rules.shingle_words))
    return ArticleSignature(
        article_id=article.article_id, scheme=name, minhashes=values, band_keys=band_keys(values, name)
    )


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal minhashes (0 if either is empty)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


@dataclass(frozen=True)
class _Node:
    article_id: str
    published_date: dt.date | None
    minhashes: tuple[int, ...]
    earlier_original: str | None  # the stored verdict of a known article
    band_keys: tuple[int, ...]


def original_order(article_id: str, published_date: dt.date | None) -> tuple[bool, dt.date, str]:
    """Sort key of the rule 'the original is the earliest published, then the smallest article_id'."""
    return (published_date is None, published_date or dt.date.min, article_id)


def _similar_pairs(nodes: Sequence[_Node], new_ids: set[str], threshold: float) -> list[tuple[str, str, float]]:
    """Pairs with at least one new article, MIN_SHARED_BANDS equal band keys and estimated similarity >= threshold."""
    by_key: dict[int, set[str]] = defaultdict(set)
    for node in nodes:
        for key in node.band_keys:
            by_key[key].add(node.article_id)
    shared: Counter[tuple[str, str]] = Counter()
    for members in by_key.values():
        if len(members) < 2:
            continue
        # Only pairs with a new article: pairs of stored articles were judged when the later of them was stored.
        for a in members & new_ids:
            for b in members:
                if b != a and (b not in new_ids or a < b):
                    shared[(a, b) if a < b else (b, a)] += 1
    signatures = {n.article_id: n.minhashes for n in nodes}
    pairs = []
    for (a, b), count in sorted(shared.items()):
        if count >= MIN_SHARED_BANDS:
            score = similarity(signatures[a], signatures[b])
            if score >= threshold:
                pairs.append((a, b, score))
    return pairs


def resolve_duplicates(
    batch: Sequence[tuple[Article, ArticleSignature]], known: Sequence[KnownArticle], rules: DuplicateRules
) -> dict[str, str | None]:
    """`duplicate_of` for every article of the batch and every known article involved.

    `known` are the stored articles that share band keys with the batch, with all members of their stored groups
    (what `Warehouse.duplicate_candidates` returns). A stored group stays together (its members matched before);
    new pairs join groups; each group's original is recomputed by the rule, so a new, earlier copy becomes the
    original of a stored group.
    """
    name = scheme(rules)
    nodes: dict[str, _Node] = {
        k.article_id: _Node(
            k.article_id,
            k.published_date,
            k.minhashes or (),
            k.duplicate_of,
            k.band_keys if k.band_keys is not None else band_keys(k.minhashes or (), name),
        )
        for k in known
    }
    for article, sig in batch:
        same = sig.scheme == name
        nodes[article.article_id] = _Node(
            article.article_id,
            article.published_date,
            sig.minhashes if same else (),
            None,
            sig.band_keys if same else (),
        )
    parent = {aid: aid for aid in nodes}

    def find(aid: str) -> str:
        while parent[aid] != aid:
            parent[aid] = parent[parent[aid]]
            aid = parent[aid]
        return aid

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for node in nodes.values():
        if node.earlier_original is not None and node.earlier_original in nodes:
            union(node.article_id, node.earlier_original)
    new_ids = {article.article_id for article, _ in batch}
    for a, b, _ in _similar_pairs(list(nodes.values()), new_ids, rules.threshold):
        union(a, b)
    groups: dict[str, list[_Node]] = defaultdict(list)
    for node in nodes.values():
        groups[find(node.article_id)].append(node)
    verdict: dict[str, str | None] = {}
    for members in groups.values():
        first = min(members, key=lambda n: original_order(n.article_id, n.published_date)).article_id
        for node in members:
            verdict[node.article_id] = None if node.article_id == first else first
    return verdict
