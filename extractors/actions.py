"""Action tagging: which words of a parsed sentence trigger a CAMEO code, and with what modality.

Patterns are data (seeds/ontology/verb_patterns.csv). A pattern names a head word by lemma and part of speech,
optionally the object a light verb needs ("held" + "talks") and a particle ("called on"). The most specific
pattern that fits wins. Modality is read from the parse, not from patterns: auxiliaries ("will meet"),
governing verbs ("plans to visit", "talks were being arranged"), negation and conditionals.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.attrs import LEMMA, LOWER
from spacy.tokens import Doc, Span, Token

from extractors.doc_index import TRIGGER_TOKENS_KEY
from schema.ontology import VerbPattern
from schema.records import Modality

VERB_POS = {"VERB"}
WORD_MEMO_LIMIT = 500_000
NOUN_POS = {"NOUN", "PROPN"}
OBJECT_DEPS = {"dobj", "obj"}
FUTURE_AUX = {"will", "would", "shall", "'ll", "wo"}
POSSIBLE_AUX = {"could", "might", "may", "can", "should", "ca"}
# A verb that governs an action as something planned, wanted or expected, not done.
INTENT_GOVERNORS = {
    "prepared",
    "plan",
    "intend",
    "expect",
    "agree",
    "want",
    "hope",
    "seek",
    "aim",
    "prepare",
    "arrange",
    "decide",
    "propose",
    "offer",
    "promise",
    "pledge",
    "vow",
    "set",
    "slate",
    "schedule",
    "try",
    "wish",
    "consider",
    "mull",
    "push",
    "look",
    "eye",
    "realize",
    "realise",
    "discuss",
    "explore",
    "call",
    "urge",
    "likely",
    "due",
    "ready",
    "willing",
    "keen",
    "eager",
}
INTENT_NOUN_MODIFIERS = {"planned", "proposed", "upcoming", "future", "prospective", "scheduled"}
SPECULATIVE_NOUN_MODIFIERS = {"possible", "potential", "likely", "rumoured", "rumored", "mooted"}
CONTAINER_NOUNS = {
    "round",
    "series",
    "set",
    "package",
    "raft",
    "wave",
    "string",
    "spate",
    "batch",
    "number",
    "day",
    "week",
    "month",
    "tonne",
    "ton",
    "kilogram",
    "shipment",
    "consignment",
    "cargo",
    "team",
}
HYPOTHETICAL_MARKERS = {"if", "unless", "whether"}
# "refused to meet", "threatened to cut ties": the governed action did not happen (a threat is coded by its own
# pattern, 13x), so it yields no event of its own.
NOT_DONE_GOVERNORS = {"refuse", "decline", "reject", "fail", "deny", "threaten", "warn", "avoid", "cancel", "postpone"}
EXPECTATION_VERBS = {"see", "expect", "believe", "think", "tip"}
# "accused Rwanda of sending troops": the act is an allegation, coded as the accusation (11x), not as done.
ACCUSING_GOVERNORS = {"accuse", "blame", "charge", "suspect", "allege", "convict", "indict", "sentence"}
# Of those, the ones that say the actor will not do it: coded as a refusal (CAMEO 12x), not dropped.
REFUSAL_GOVERNORS = {"refuse", "decline", "reject"}
# "urged Beijing to lift its ban", "demanded that Rwanda withdraw": the governed action is what is asked for. It is
# no event of its own; it makes the appeal (CAMEO 02x) or demand (10x) specific.
APPEAL_GOVERNORS = {
    "urge",
    "call",
    "ask",
    "appeal",
    "press",
    "pressure",
    "request",
    "encourage",
    "implore",
    "plead",
    "invite",
}
DEMAND_GOVERNORS = {"demand", "insist"}
# "threatened to retaliate against X": a threat (13x) whose kind and target come from the action threatened.
THREAT_GOVERNORS = {"threaten", "vow"}
# "calls for talks", "preparations toward a visit": the action is aimed at, not done. "During talks" is done.
PURPOSE_PREPS = {"for", "to", "toward", "towards"}


@dataclass(frozen=True)
class ActionMatch:
    pattern: VerbPattern
    trigger: Token
    object: Token | None
    particle: Token | None
    modality: Modality

    @property
    def words(self) -> list[Token]:
        return sorted([t for t in (self.trigger, self.object, self.particle) if t is not None], key=lambda t: t.i)


class PatternIndex:
    """Verb patterns keyed by (part of speech, trigger lemma), most specific first."""

    def __init__(self, patterns: tuple[VerbPattern, ...]) -> None:
        index: dict[tuple[str, str], list[VerbPattern]] = defaultdict(list)
        for pattern in patterns:
            index[(pattern.pos, pattern.trigger.lower())].append(pattern)
        self._index = {key: sorted(v, key=lambda p: -p.specificity) for key, v in index.items()}
        # Every word a candidate's lemma or lower-cased form must be (the head word of a compound trigger too).
        self._words = frozenset(word for _, trigger in self._index for word in (trigger, trigger.split()[-1]))
        self._is_word: dict[int, bool] = {}  # string hash -> lower-cased string in _words (hashes are stable)

    def roots_of(self, lemma: str) -> set[str]:
        """The CAMEO roots a word names on its own, as a noun or as a verb that needs no object: "attack" -> 19.
        ("launch" as a verb names nothing by itself: "launched talks", "launched missiles".)"""
        nouns = self._index.get(("NOUN", lemma), [])
        verbs = [p for p in self._index.get(("VERB", lemma), []) if not p.object]
        return {p.code[:2] for p in nouns + verbs}

    def candidates(self, token: Token) -> list[VerbPattern]:
        if token.pos_ in VERB_POS:
            group = "VERB"
        elif token.pos_ in NOUN_POS:
            group = "NOUN"
        else:
            return []
        lemma = token.lemma_.lower()
        if group == "NOUN":
            # A compound names the act more exactly than its head: "air strike" (195) before "strike" (190).
            for modifier in (c for c in token.children if c.dep_ in {"compound", "amod"} and c.i < token.i):
                compound = self._index.get((group, f"{modifier.lower_} {lemma}"))
                if compound:
                    return compound
        found = self._index.get((group, lemma))
        if found is None and token.lower_ != lemma:
            found = self._index.get((group, token.lower_))
        return found or []

    def _possible(self, doc: Doc) -> list[int]:
        """Indices of the tokens whose lemma or form is a trigger word: the only ones `candidates` can match. Read
        from token arrays once per Doc (extractors/doc_index.py), instead of a Token object per token per sentence."""
        found = doc.user_data.get(TRIGGER_TOKENS_KEY)
        if found is None:
            if len(self._is_word) > WORD_MEMO_LIMIT:
                self._is_word.clear()
            strings = doc.vocab.strings
            is_word = self._is_word
            found = []
            for i, (lemma, lower) in enumerate(doc.to_array([LEMMA, LOWER]).tolist()):
                for key in (lemma, lower):
                    known = is_word.get(key)
                    if known is None:
                        known = is_word[key] = strings[key].lower() in self._words if key in strings else False
                    if known:
                        found.append(i)
                        break
            doc.user_data[TRIGGER_TOKENS_KEY] = found
        return found

    def match_sentence(self, sent: Span) -> Iterator[ActionMatch]:
        """Every action in the sentence; a light verb's object noun is not matched again on its own."""
        consumed: set[int] = set()
        matches = []
        doc = sent.doc
        possible = self._possible(doc)
        first = bisect_left(possible, sent.start)
        for token in (doc[i] for i in possible[first : bisect_left(possible, sent.end, first)]):
            patterns = self.candidates(token)
            children = list(token.children) if patterns else []  # once per trigger, not per pattern tried
            for pattern in patterns:
                obj = _object_for(token, pattern, children)
                if pattern.object and obj is None:
                    continue
                particle = _particle_for(token, pattern, children)
                if pattern.particle and particle is None:
                    continue
                modality = modality_of(token)
                if obj is not None and any(c.dep_ == "det" and c.lower_ == "no" for c in obj.children):
                    modality = "negated"  # "held no talks", "made no concessions"
                matches.append(ActionMatch(pattern, token, obj, particle, modality))
                if obj is not None:
                    consumed.add(obj.i)
                break
        for match in matches:
            if match.trigger.i not in consumed:
                yield match


def _object_for(verb: Token, pattern: VerbPattern, children: list[Token]) -> Token | None:
    """The noun (or verb) the pattern needs as the trigger's object; `children` are the trigger's."""
    if not pattern.object:
        return None
    dependencies = [c.dep_ for c in children]
    deps = OBJECT_DEPS | ({"nsubjpass"} if "auxpass" in dependencies else set())
    if pattern.particle:
        # "went on strike", "took to the streets": the object is the particle's noun.
        for child in children:
            if child.dep_ == "prep" and child.lower_ == pattern.particle.lower():
                for inner in child.children:
                    if inner.dep_ == "pobj" and _lemma_fits(inner, pattern.object):
                        return inner
    gap = verb.dep_ == "relcl" and not any(d in OBJECT_DEPS for d in dependencies)
    if gap and _lemma_fits(verb.head, pattern.object):
        return verb.head  # "a charge Kigali denies": the noun the clause hangs on is its object
    infinitives = [o[3:] for o in pattern.object if o.startswith("to ")]
    if infinitives:
        for child, dep in zip(children, dependencies, strict=True):
            # "ordered the ambassador to leave": an object written "to leave" is the verb the trigger governs.
            if dep in {"xcomp", "ccomp"} and child.lemma_.lower() in infinitives:
                return child
    for child, dep in zip(children, dependencies, strict=True):
        if dep not in deps:
            continue
        if _lemma_fits(child, pattern.object):
            return child
        # "will send a team of experts and emergency supplies": a later conjunct of the object.
        fitting = next((c for c in child.conjuncts if c.i > child.i and _lemma_fits(c, pattern.object)), None)
        if fitting is not None:
            return fitting
        # "held a further round of talks", "imposed a new set of sanctions": the noun after "of" is the object.
        if child.lemma_.lower() in CONTAINER_NOUNS:
            for inner in _of_objects(child):
                if _lemma_fits(inner, pattern.object):
                    return inner
    return None


def _of_objects(noun: Token) -> list[Token]:
    return [g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]


def _lemma_fits(head: Token, phrases: tuple[str, ...]) -> bool:
    for phrase in phrases:
        words = phrase.lower().split()
        if head.lemma_.lower() != words[-1] and head.lower_ != words[-1]:
            continue
        before = [t.lower_ for t in head.doc[max(head.left_edge.i, head.i - len(words) + 1) : head.i]]
        if before == words[:-1]:
            return True
    return False


def _particle_for(verb: Token, pattern: VerbPattern, children: list[Token]) -> Token | None:
    if not pattern.particle:
        return None
    for child in children:
        # "stepped down": the parser often labels the particle `advmod`.
        if child.dep_ in {"prt", "prep", "agent", "advmod"} and child.lower_ == pattern.particle.lower():
            return child
    return None


def requested_by(token: Token) -> tuple[Token, str] | None:
    """The verb that asks for, demands or threatens this action, and which it does: ("urged", "appeal")."""
    node = token
    while node.dep_ == "conj" and node.head.i != node.i:  # "urged X to stop and return to talks"
        node = node.head
    if node.pos_ in NOUN_POS and node.dep_ == "pobj" and node.head.lower_ == "for":
        # "called for talks with China", "demanded for the release": the noun is what is asked for
        governor = node.head.head
        if governor.lemma_.lower() in APPEAL_GOVERNORS:
            return governor, "appeal"
        if governor.lemma_.lower() in DEMAND_GOVERNORS:
            return governor, "demand"
        return None
    if (
        not (node.dep_ in {"xcomp", "ccomp"} or (node.dep_ == "advcl" and _is_infinitive(node)))
        or node.head.i == node.i
    ):
        return None
    governor = node.head
    lemma = governor.lemma_.lower()
    if lemma in APPEAL_GOVERNORS:
        return governor, "appeal"
    if lemma in DEMAND_GOVERNORS:
        return governor, "demand"
    if lemma in THREAT_GOVERNORS and (node.dep_ == "xcomp" or _is_passive(node)):
        return governor, "threat"  # "threatened to retaliate", "vowed that Israel would be punished"
    return None


HABITUAL_ADVERBS = {"often", "usually", "regularly", "frequently", "routinely", "typically", "generally", "habitually"}


def _habitual(verb: Token) -> bool:
    """ "Gangs often kidnap people", "the two navies hold exercises every two years": what is usual, not an event."""
    for child in verb.children:
        if child.dep_ == "advmod" and child.lower_ in HABITUAL_ADVERBS:
            return True
        if child.dep_ in {"npadvmod", "advmod"} and any(c.lower_ == "every" for c in child.children):
            return True
    return _counted_past(verb)


# "have fought two wars", "has met three times", "have held three rounds of talks": a count of acts over time. Not
# a count of things ("has fired two missiles" is one salvo).
COUNT_WORDS = {"several", "many", "numerous", "multiple"}
COUNTED_ACTS = {"time", "occasion", "war", "round"}


def _counted_past(verb: Token) -> bool:
    """A present perfect that counts its acts sums up a history, not one event: "Armenia and Azerbaijan have fought
    two wars", "the leaders have met three times"."""
    if verb.tag_ != "VBN" or not any(c.dep_ == "aux" and c.lemma_.lower() == "have" for c in verb.children):
        return False
    for child in verb.children:
        if child.dep_ == "advmod" and child.lower_ == "repeatedly":
            return True
        if child.dep_ in {"dobj", "npadvmod"} and child.lemma_.lower() in COUNTED_ACTS and child.tag_ == "NNS":
            for mod in child.children:
                number = mod.dep_ == "nummod" and mod.lower_ not in {"one", "1"}
                if number or (mod.dep_ == "amod" and mod.lower_ in COUNT_WORDS):
                    return True
    return False


def purpose_of(token: Token) -> Token | None:
    """The verb an infinitive of purpose belongs to: "fired rubber bullets to disperse the crowd" -> fired."""
    if token.dep_ == "advcl" and _is_infinitive(token) and token.head.i != token.i:
        return token.head
    return None


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in verb.children)


def _is_infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _clause_markers(token: Token) -> set[str]:
    return {c.lower_ for c in token.children if c.dep_ == "mark"}


def modality_of(token: Token) -> Modality:
    """Asserted, intended, negated or hypothetical, read from the words that govern the trigger."""
    node: Token | None = token
    intended = hypothetical = False
    depth = 0
    sibling = False  # reached through "and": the first conjunct's own verb governs nothing
    via = ""  # the link climbed to reach this node
    while node is not None and depth < 4:
        governs = node is not token and not sibling
        sibling = False
        children = list(node.children)
        dependencies = [c.dep_ for c in children]
        pairs = list(zip(children, dependencies, strict=True))
        aux = {c.lower_ for c, d in pairs if d in {"aux", "auxpass"}}
        if "neg" in dependencies or any(d == "det" and c.lower_ == "no" for c, d in pairs):
            # "would not lift the ban", "will not negotiate": a stated refusal. "did not meet": nothing happened.
            return "refused" if aux & FUTURE_AUX else "negated"
        if aux & FUTURE_AUX:
            intended = True
        if aux & POSSIBLE_AUX:
            hypothetical = True
        if {c.lower_ for c, d in pairs if d == "mark"} & HYPOTHETICAL_MARKERS:
            hypothetical = True
        if any(c.dep_ == "advcl" and _clause_markers(c) & {"if"} for c in children):
            # "If it happens, the talks would be the first meeting ...": the consequent of a condition. (Not
            # "would reimpose sanctions unless ...": that is a threat, coded by the intent code.)
            hypothetical = True
        if node is token and _habitual(node):
            return "habitual"
        if governs and node.lemma_.lower() in NOT_DONE_GOVERNORS:
            return "refused" if node.lemma_.lower() in REFUSAL_GOVERNORS else "negated"
        if (
            governs
            and node.lemma_.lower() in INTENT_GOVERNORS
            and not (node.lemma_.lower() == "call" and via == "dobj")
        ):
            intended = True  # (but "called the arrests a kidnapping" names them; it does not call for them)
        if governs and node.lemma_.lower() in EXPECTATION_VERBS and "auxpass" in dependencies:
            intended = True  # "are seen as exchanging views", "is expected to visit"
        if node.pos_ in NOUN_POS and any(c.lower_ in INTENT_NOUN_MODIFIERS for c in children):
            intended = True
        if node.pos_ in NOUN_POS and any(c.lower_ in SPECULATIVE_NOUN_MODIFIERS for c in children):
            hypothetical = True
        if node.dep_ == "pcomp" and node.head.dep_ == "prep" and node.head.head.lemma_.lower() in ACCUSING_GOVERNORS:
            return "reported"  # "accused Rwanda of sending troops": what one side says the other did
        # Climb only through links that keep the action inside the same proposition.
        # "wants Putin to attack": an infinitive clause with its own subject is still the governor's aim.
        via = node.dep_
        if node.dep_ == "conj" and node.head.pos_ in VERB_POS and not aux:
            # "is expected to visit Tokyo and meet Akiba": the second verb shares the first one's governors.
            node = node.head
            depth += 1
            sibling = True
            continue
        if node.dep_ == "pcomp" and node.head.dep_ == "prep" and node.head.head.pos_ in VERB_POS:
            node = node.head.head  # "seen as exchanging views": the verb the gerund's preposition hangs on
            depth += 1
            continue
        infinitive = node.dep_ in {"ccomp", "advcl", "acl"} and _is_infinitive(node)
        if node.dep_ == "advcl" and infinitive:
            intended = True  # "sent troops to help Ukraine": a purpose, not yet a fact
        if (
            infinitive
            or node.dep_ in {"xcomp", "dobj", "nsubjpass", "pobj", "acomp", "attr"}
            or (node.dep_ == "prep" and node.lower_ in PURPOSE_PREPS)
        ):
            node = node.head
            depth += 1
        else:
            break
    if hypothetical:
        return "hypothetical"
    return "intended" if intended else "asserted"
