"""Actor tagging: which words name a country, an organisation, a person or a sector, and what CAMEO actor code a
noun phrase in the dependency parse stands for.

`ActorLexicon` is built once from the ontology (PhraseMatchers over lower-cased text). `DocumentActors` is built
per article: it tags the Doc and keeps the article's actor memory ("Kong Xuanyou, China's assistant foreign
minister" makes a later bare "Kong" CHNGOV).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from extractors.doc_index import entities, entity_at, starts_up_to
from schema.ontology import Ontology

TagKind = Literal["country", "demonym", "metonym", "org", "group", "person", "sector"]
# Entity labels whose text is a name of something else: "South China Sea", "Beijing Olympics", "Japan Times".
FOREIGN_NAME_LABELS = {"LOC", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "ORG"}
# Prepositions after a head noun that still describe who the actor is ("officials from Japan").
DESCRIPTIVE_PREPS = {"of", "from", "for"}
# Dependents that belong to another clause or actor, never to this actor phrase.
OUTSIDE_DEPS = {"relcl", "acl", "conj", "cc", "advcl", "punct", "prep", "appos", "case"}
REGION_KINDS = ("country", "demonym", "metonym")
# A country named once is not yet what the article is about; twice (headline-less body) is.
HOME_COUNTRY_MIN_MENTIONS = 2
# "The leaders discussed ...": a bare plural that can only mean the two parties the article is about.
PAIR_NOUNS = {"leaders", "sides", "parties", "delegations", "neighbours", "neighbors"}
PAIR_ONLY_NOUNS = {"sides", "parties", "neighbours", "neighbors", "countries", "nations", "states"}
TITLE_WEIGHT = 2
ARMED_SECTORS = {"MIL", "REB", "INS", "UAF", "SEP", "RAD", "CRM", "SPY"}
# Nouns for something said, whose antecedent is the speaker; verbs of accusing count as saying.
SAID_NOUNS = {"allegation", "accusation", "charge", "claim", "report", "finding", "criticism", "assertion", "remark"}
ACCUSING_VERBS = {"accuse", "allege", "blame", "charge", "criticise", "criticize", "condemn"}
SPEECH_VERBS = {
    "say",
    "tell",
    "report",
    "add",
    "announce",
    "state",
    "confirm",
    "claim",
}  # a country in the headline says more about what the article is about than one in the body
# Pronouns that stand for an actor named earlier: True = a person, False = not a person, None = either.
PRONOUNS: dict[str, bool | None] = {
    "he": True,
    "him": True,
    "she": True,
    "her": True,
    "it": False,
    "they": None,
    "them": None,
}
# Object pronouns never stand for their own clause's subject ("Borrell called Vucic and urged him": him is Vucic),
# and may stand for an earlier object.
OBJECT_PRONOUNS = {"him", "her", "them"}
OBJECT_DEPS = {"dobj", "obj", "dative", "pobj"}
SPEAKER_PRONOUNS = {"we", "i", "us"}  # in a quotation: whoever says it
DOTTED_ABBREVIATION = re.compile(r"^([a-z]\.){2,3}$")
DOTTED_WORD = re.compile(r"\b(?:[a-z]\.){2,3}(?=\s|$)")


@dataclass(frozen=True)
class Tag:
    kind: TagKind
    value: str
    start: int
    end: int
    priority: int = 0

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Actor:
    """A resolved actor: its CAMEO code and the words it was read from."""

    code: str
    head: int
    start_char: int
    end_char: int
    text: str
    via: str  # what decided the code: person, title, memory, country, metonym, org


class ActorLexicon:
    """Phrase matchers for every actor name and sector term in the ontology."""

    def __init__(self, ontology: Ontology, vocab: Vocab, make_doc: Callable[[str], Doc]) -> None:
        self.ontology = ontology
        self.make_doc = make_doc
        self.lower = PhraseMatcher(vocab, attr="LOWER")
        self.exact = PhraseMatcher(vocab, attr="ORTH")
        self.meanings: dict[str, tuple[TagKind, str, int]] = {}
        for iso3, country in ontology.countries.items():
            self._add(self.lower, "country", iso3, (country.name.lower(), *country.aliases), make_doc)
            # "u.s." is also written "US"; only the upper-case form is safe ("us" is a pronoun).
            undotted = [a.replace(".", "").upper() for a in country.aliases if DOTTED_ABBREVIATION.match(a)]
            self._add(self.exact, "country", iso3, undotted, make_doc, key_suffix=":exact")
            self._add(self.lower, "demonym", iso3, country.demonyms, make_doc)
            self._add(self.lower, "metonym", iso3, country.metonyms, make_doc)
        for code, org in ontology.organizations.items():
            names = (org.name, *org.aliases) if org.case_sensitive else (org.name.lower(), *org.aliases)
            self._add(self.exact if org.case_sensitive else self.lower, "org", code, names, make_doc)
        for gid, group in ontology.groups.items():
            names = (group.name, *group.aliases) if group.case_sensitive else (group.name.lower(), *group.aliases)
            self._add(self.exact if group.case_sensitive else self.lower, "group", gid, names, make_doc)
        for pid, person in ontology.persons.items():
            self._add(self.lower, "person", pid, (person.name.lower(), *person.aliases), make_doc)
        for code, sector in ontology.sectors.items():
            self._add(self.lower, "sector", code, sector.terms, make_doc, sector.priority)

    def _add(
        self,
        matcher: PhraseMatcher,
        kind: TagKind,
        value: str,
        phrases: Iterable[str],
        make_doc: Callable[[str], Doc],
        priority: int = 0,
        key_suffix: str = "",
    ) -> None:
        key = f"{kind}:{value}{key_suffix}"
        self.meanings[key] = (kind, value, priority)
        # The tokenizer keeps "U.N." whole but splits "u.n." into "u.n" + "."; a lower-case alias must be
        # matched in the form the text will have.
        variants = [v for p in phrases if p for v in (p, DOTTED_WORD.sub(lambda m: m.group(0).upper(), p))]
        docs = [make_doc(v) for v in dict.fromkeys(variants)]
        if docs:
            matcher.add(key, docs)

    def tag(self, doc: Doc) -> list[Tag]:
        spans: list[Span] = []
        for matcher in (self.lower, self.exact):
            for match_id, start, end in matcher(doc):
                spans.append(Span(doc, start, end, label=match_id))
        tags = []
        for span in filter_spans(spans):
            kind, value, priority = self.meanings[span.label_]
            tags.append(Tag(kind, value, span.start, span.end, priority))
        # "military-ruled Myanmar", "a government-held district": a sector word inside a hyphenated modifier
        # describes something else.
        tags = [t for t in tags if t.kind != "sector" or not _hyphenated(doc, t)]
        sector_tokens = {i for t in tags if t.kind == "sector" for i in range(t.start, t.end)}
        return [t for t in tags if t.kind not in REGION_KINDS or not _inside_other_name(doc, t, sector_tokens)]


def _hyphenated(doc: Doc, tag: Tag) -> bool:
    after = doc[tag.end] if tag.end < len(doc) else None
    before = doc[tag.start - 1] if tag.start > 0 else None
    joined_after = after is not None and after.text == "-" and not doc[tag.end - 1].whitespace_
    joined_before = before is not None and before.text == "-" and not before.whitespace_
    return joined_after or joined_before


def _inside_other_name(doc: Doc, tag: Tag, sector_tokens: set[int]) -> bool:
    """A country word inside the name of a sea, a newspaper or an event is not the country acting; inside
    "the Japanese Foreign Ministry" (an ORG with a sector word in it) it is."""
    for ent in entities(doc):
        if ent.start <= tag.start and tag.end <= ent.end and (ent.start, ent.end) != (tag.start, tag.end):
            return ent.label_ in FOREIGN_NAME_LABELS and not any(i in sector_tokens for i in range(ent.start, ent.end))
    return False


@dataclass
class DocumentActors:
    """Actor tags of one article and its memory of who is who."""

    lexicon: ActorLexicon
    doc: Doc
    published: dt.date | None
    by_token: dict[int, Tag] = field(default_factory=dict)
    memory: dict[str, str | None] = field(default_factory=dict)
    home_country: str | None = None
    recent: list[str] = field(default_factory=list)  # actor codes in the order the article named them
    # Names the ontology lacks whose title or apposition gave a code: (entity, code, evidence words, via).
    unknown: list[tuple[Span, str, str, str]] = field(default_factory=list)
    # Heads being resolved right now: a pronoun's antecedent may lead, through the speaker of a speech verb, back
    # to the same pronoun ("they said" ... "they"); such a cycle resolves to nothing instead of recursing forever.
    resolving: set[int] = field(default_factory=set)

    @classmethod
    def build(
        cls, lexicon: ActorLexicon, doc: Doc, published: dt.date | None, title: str | None = None
    ) -> DocumentActors:
        actors = cls(lexicon, doc, published)
        for tag in lexicon.tag(doc):
            for i in range(tag.start, tag.end):
                actors.by_token[i] = tag
        title_tags = lexicon.tag(lexicon.make_doc(title)) if title else []
        actors.home_country = _home_country(actors.by_token.values(), title_tags, lexicon.ontology, published)
        actors._learn_people()
        return actors

    # -- memory -------------------------------------------------------------------------------------------------
    def _learn_people(self) -> None:
        """Remember the name parts of each named person with their code: people the ontology knows ("Wang Yi"
        makes a later "Wang" CHNGOV) and people whose title or apposition gives country and role."""
        seen: set[tuple[int, int]] = set()
        for tag in self.by_token.values():
            if tag.kind == "person" and (tag.start, tag.end) not in seen:
                seen.add((tag.start, tag.end))
                code = self.lexicon.ontology.person_actor(tag.value, self.published)
                self._remember(self.doc[tag.start : tag.end], code)
        for ent in self._names():
            if any(self._kind_at(i) in {"person", "org", "group"} for i in range(ent.start, ent.end)):
                continue
            actor = self._resolve_head(ent.root, use_memory=False)
            if actor is None or actor.via not in {"title", "apposition"}:
                continue
            if all(i in self.by_token or not self.doc[i].is_alpha for i in range(ent.start, ent.end)):
                continue  # "the Japanese Foreign Ministry", "Kyiv": words the ontology knows, not a new actor
            if ent.label_ == "PERSON":
                self._remember(ent, actor.code)
            appos = next((c for c in ent.root.children if c.dep_ == "appos"), None)
            if actor.via == "apposition" and appos is not None:
                evidence = self.doc[appos.left_edge.i : appos.right_edge.i + 1].text
            else:
                evidence = actor.text
            self.unknown.append((ent, actor.code, evidence, actor.via))

    def _names(self) -> Iterator[Span]:
        """Spans that name a person or an organisation: spaCy's PERSON and ORG entities, and proper names the
        small model missed that an apposition describes ("Ana Ruiz, Peru's defence minister")."""
        named: set[int] = set()
        for ent in entities(self.doc):
            if ent.label_ in {"PERSON", "ORG"}:
                named.update(range(ent.start, ent.end))
                yield ent
        for tok in self.doc:
            if tok.pos_ == "PROPN" and tok.i not in named and any(c.dep_ == "appos" for c in tok.children):
                start = min([c.i for c in tok.children if c.dep_ == "compound" and c.i < tok.i] + [tok.i])
                yield Span(self.doc, start, tok.i + 1, label="PERSON")

    def _remember(self, name: Span, code: str) -> None:
        for key in {name.text.lower(), *(t.lower_ for t in name if t.is_alpha and len(t) > 1)}:
            known = self.memory.get(key, code)
            self.memory[key] = code if known == code else None  # two people, one name: unsure

    def _kind_at(self, i: int) -> str | None:
        tag = self.by_token.get(i)
        return tag.kind if tag is not None else None

    def _remembered(self, token: Token) -> str | None:
        ent = entity_at(token) if token.ent_type_ == "PERSON" else None
        if ent is not None:
            return self.memory.get(ent.text.lower()) or self.memory.get(token.lower_)
        return self.memory.get(token.lower_) if token.pos_ == "PROPN" else None

    # -- resolution ---------------------------------------------------------------------------------------------
    def resolve(self, head: Token) -> list[Actor]:
        """All actors a noun phrase stands for: "Japan and China" gives two."""
        # "The two ministers" names the pair the article has been about, whatever else the words say.
        tags = self._tags_in(self._region(head))
        named = any(t.kind != "sector" for t in tags)
        # "the two ministers", "both sides"; not "two ballistic missiles"
        actor_word = head.lower_ in PAIR_NOUNS | PAIR_ONLY_NOUNS or head.i in self.by_token or head.lower_ == "both"
        actors = self._recent_pair(head) if _names_a_pair(head) and not named and actor_word else []
        if not actors:
            for member in _conjuncts(head):
                actors.extend(self._resolve_members(member))
        unique: dict[str, Actor] = {}
        for actor in actors:
            unique.setdefault(actor.code, actor)
        for actor in unique.values():
            if actor.code[:3] in self.lexicon.ontology.countries and actor.via != "pair":
                self.recent = [a for a in self.recent if a != actor.code] + [actor.code]
        return list(unique.values())

    def sector_only(self, head: Token) -> str | None:
        """The sector of a phrase that names a sector and nothing else ("at least seven civilians")."""
        tags = self._tags_in(self._region(head))
        if not tags or any(t.kind != "sector" for t in tags):
            return None
        return self._sector_in(self._region(head))

    def names_someone(self, head: Token) -> bool:
        """Whether the phrase holds any actor word at all (a name, a country, a sector term like "rebels")."""
        return bool(self._tags_in(self._region(head)))

    def place(self, head: Token) -> Actor | None:
        """The country of a place phrase ("in Zurich", "in Myanmar's Sagaing region"), as a country code alone:
        a place is where something happened, not the government acting."""
        tags = [t for t in self._tags_in(self._region(head)) if t.kind in {"country", "metonym"}]
        if not tags:
            return None
        nearest = min(tags, key=lambda t: abs(t.start - head.i))
        return self._actor(head, nearest.value, "place")

    def antecedent(self, anchor: Token, exclude: set[str], sentences_back: int = 2) -> Actor | None:
        """The actor most recently named before `anchor` (this and the previous sentences) whose country is not
        in `exclude`: who did the act "the order" or "the launch" refers back to. For what was said ("denied the
        allegations", "rejected the findings") the one who said it comes first: the subject of a speech verb."""
        sent_starts = starts_up_to(anchor)
        for speakers_only in [True, False] if self.is_said(anchor) else [False]:
            back = sentences_back + 2 if speakers_only else sentences_back
            floor = sent_starts[-1 - back] if len(sent_starts) > back else 0
            seen: set[tuple[int, int]] = set()
            for i in range(anchor.i - 1, floor - 1, -1):
                tag = self.by_token.get(i)
                if tag is None or tag.kind == "sector" or (tag.start, tag.end) in seen:
                    continue
                seen.add((tag.start, tag.end))
                if speakers_only and not _speaks(self.doc[i]):
                    continue
                code = self._tag_code(tag)
                if code is not None and code[:3] not in exclude:
                    return self._actor(self.doc[tag.end - 1], code, "antecedent")
        return None

    @staticmethod
    def is_said(noun: Token) -> bool:
        return noun.lemma_.lower() in SAID_NOUNS

    def _tag_code(self, tag: Tag) -> str | None:
        ontology = self.lexicon.ontology
        if tag.kind in {"country", "demonym"}:
            return tag.value
        if tag.kind == "metonym":
            return tag.value + "GOV"
        if tag.kind == "org":
            return tag.value
        if tag.kind == "group":
            return ontology.groups[tag.value].actor_on(self.published)
        if tag.kind == "person":
            return ontology.person_actor(tag.value, self.published)
        return None

    def _recent_pair(self, head: Token) -> list[Actor]:
        """ "The two sides", "both countries", "the two ministers": the last two countries the article named."""
        # The last two countries named; in a domestic story ("the two sides" of a strike), the last two actors.
        pair: list[str] = []
        for code in reversed(self.recent):
            if all(code[:3] != p[:3] for p in pair):
                pair.insert(0, code)
            if len(pair) == 2:
                break
        if len(pair) < 2:
            pair = self.recent[-2:]
        if len(pair) < 2:
            return []
        # "the two ministers" says what the two are; "both sides", "the warring parties" do not.
        sector = None if head.lower_ in PAIR_ONLY_NOUNS else self._sector_in(self._region(head))
        return [self._actor(head, code[:3] + sector if sector else code, "pair") for code in pair]

    def _resolve_members(self, head: Token) -> list[Actor]:
        countries = self._country_modifiers(head)
        if len(countries) > 1:
            # "Chinese and Japanese officials": one head, several countries.
            sector = self._sector_in(self._region(head))
            return [self._actor(head, iso3 + (sector or ""), "title" if sector else "country") for iso3 in countries]
        actor = self._resolve_head(head, use_memory=True)
        return [actor] if actor else []

    def _resolve_head(self, head: Token, *, use_memory: bool) -> Actor | None:
        if head.i in self.resolving:
            return None
        self.resolving.add(head.i)
        try:
            return self._resolve_head_once(head, use_memory=use_memory)
        finally:
            self.resolving.discard(head.i)

    def _resolve_head_once(self, head: Token, *, use_memory: bool) -> Actor | None:
        if (head.lower_ in PRONOUNS or head.lower_ in SPEAKER_PRONOUNS) and head.pos_ == "PRON":
            return self._pronoun(head) if use_memory else None
        region = self._region(head)
        tags = self._tags_in(region)
        person = next((t for t in tags if t.kind == "person"), None)
        sector = self._sector_in(region)
        if person is not None:
            code = self.lexicon.ontology.person_actor(person.value, self.published)
            if len(code) == 3 and sector is not None:
                code += sector  # out of the roles we know, but the text gives the title: "Foreign Minister X"
            return self._actor(head, code, "person")
        group = next((t for t in tags if t.kind == "group"), None)
        if group is not None:
            # "Colombia's ELN rebels", "Houthi spokesman": the group's own code (country + sector) decides.
            return self._actor(head, self.lexicon.ontology.groups[group.value].actor_on(self.published), "group")
        org = next((t for t in tags if t.kind == "org"), None)
        country_tags = [t for t in tags if t.kind in REGION_KINDS]
        appositive = self._appositive(head)
        if not country_tags and appositive is not None:
            return self._actor(head, appositive, "apposition")
        if country_tags:
            nearest = min(country_tags, key=lambda t: abs(t.start - head.i))
            if sector is None and nearest.kind == "metonym" and nearest.start <= head.i < nearest.end:
                sector = "GOV"  # "Beijing said": the capital stands for the government
            code = nearest.value + (sector or "")
            return self._actor(head, code, "title" if sector else nearest.kind)
        if org is not None:
            return self._actor(head, org.value, "org")
        if use_memory:
            remembered = self._remembered(head)
            if remembered:
                return self._actor(head, remembered, "memory")
        if sector is not None and head.pos_ in {"NOUN", "PROPN"}:
            # "Police arrested 30 people" in an article about Kenya: the police are Kenya's. Failing that,
            # "South Korea's Joint Chiefs said the military had raised its alert": the speaker's military.
            country = self.home_country or self._speaker_country(head)
            if country is not None:
                return self._actor(head, country + sector, "context")
        return None

    def _speaker_country(self, head: Token) -> str | None:
        for verb in head.ancestors:
            if verb.lemma_.lower() in SPEECH_VERBS:
                speaker = next((c for c in verb.children if c.dep_ == "nsubj"), None)
                if speaker is None or speaker == head or speaker.i in {t.i for t in head.ancestors}:
                    return None
                actor = self._resolve_head(speaker, use_memory=True)
                code = actor.code if actor is not None else ""
                return code[:3] if code[:3] in self.lexicon.ontology.countries else None
        return None

    def _pronoun(self, pronoun: Token) -> Actor | None:
        """ "He", "it", "they": the nearest earlier subject (this sentence or the previous two) that is an actor of
        the right kind: a person for he/she, anything but a person for it, and either for they."""
        if pronoun.lower_ in SPEAKER_PRONOUNS:
            return self._quoted_speaker(pronoun)
        personal = PRONOUNS[pronoun.lower_]
        sent_starts = starts_up_to(pronoun)
        floor = sent_starts[-3] if len(sent_starts) >= 3 else 0
        as_object = pronoun.lower_ in OBJECT_PRONOUNS and pronoun.dep_ in OBJECT_DEPS
        deps = {"nsubj", "nsubjpass"} | ({"dobj", "obj", "dative"} if as_object else set())
        own_subject = self._clause_subject_code(pronoun) if as_object else None
        for i in range(pronoun.i - 1, floor - 1, -1):
            tok = self.doc[i]
            if tok.dep_ not in deps or tok.pos_ == "PRON":
                continue
            actor = self._resolve_head(tok, use_memory=True)
            if actor is None or actor.code == own_subject:
                continue
            is_person = tok.ent_type_ == "PERSON" or actor.via in {"person", "memory", "apposition"}
            if personal is None or personal == is_person:
                span = _phrase_span(pronoun)
                return Actor(actor.code, pronoun.i, span.start_char, span.end_char, pronoun.text, "pronoun")
        return None

    def _clause_subject_code(self, pronoun: Token) -> str | None:
        """The actor code of the subject of the verb an object pronoun hangs on, or of the verb it is conjoined to."""
        verb = pronoun.head.head if pronoun.dep_ == "pobj" else pronoun.head
        for _ in range(3):
            subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
            if subject is not None:
                actor = self._resolve_head(subject, use_memory=True) if subject.pos_ != "PRON" else None
                return actor.code if actor is not None else None
            if verb.dep_ != "conj" or verb.head.i == verb.i:
                return None
            verb = verb.head
        return None

    def _quoted_speaker(self, pronoun: Token) -> Actor | None:
        """ "We hope to remain in touch," Akiba said: "we" and "I" in a quotation are the speaker."""
        for tok in pronoun.sent:
            if tok.lemma_.lower() in SPEECH_VERBS and tok.i != pronoun.head.i:
                speaker = next((c for c in tok.children if c.dep_ == "nsubj" and c.i != pronoun.i), None)
                if speaker is None or speaker.lower_ in SPEAKER_PRONOUNS:
                    continue
                actor = self._resolve_head(speaker, use_memory=True)
                if actor is not None:
                    span = _phrase_span(pronoun)
                    return Actor(actor.code, pronoun.i, span.start_char, span.end_char, pronoun.text, "pronoun")
        return None

    def _appositive(self, head: Token) -> str | None:
        """ "Kong Xuanyou, China's assistant foreign minister": the apposition names country and role."""
        for child in head.children:
            if child.dep_ == "appos":
                actor = self._resolve_head(child, use_memory=False)
                if actor is not None:
                    return actor.code
        return None

    def _country_modifiers(self, head: Token) -> list[str]:
        found: list[str] = []
        for child in head.children:
            if child.dep_ in {"amod", "compound", "poss", "nmod"} or (
                child.dep_ == "prep" and child.lower_ in DESCRIPTIVE_PREPS
            ):
                starts = [c for c in child.children if c.dep_ == "pobj"] if child.dep_ == "prep" else [child]
                for start in starts:
                    for member in _conjuncts(start):
                        tag = self.by_token.get(member.i)
                        if tag is not None and tag.kind in REGION_KINDS and tag.value not in found:
                            found.append(tag.value)
        return found

    def _region(self, head: Token) -> list[Token]:
        """The words that describe this actor: the head, its modifiers, and "of/from/for" phrases."""
        region = [head]
        stack = list(head.children)
        while stack:
            tok = stack.pop()
            if tok.dep_ == "prep" and tok.head.i == head.i and tok.lower_ == "in" and self._institution(head):
                stack.extend(tok.children)  # "a court in Guyana", "officials in Kabul"
                continue
            if tok.dep_ == "prep" and tok.head.i == head.i and tok.lower_ in DESCRIPTIVE_PREPS:
                # "officials from Japan" describes the officials; "assurances from Japan" are not Japan.
                if tok.lower_ == "of" or head.i in self.by_token or head.ent_type_ in {"PERSON", "NORP", "ORG"}:
                    stack.extend(tok.children)
                continue
            if tok.dep_ in OUTSIDE_DEPS and not (tok.dep_ == "case" and tok.head.dep_ == "poss"):
                continue
            region.append(tok)
            stack.extend(tok.children)
        # A multi-token name is one unit even when the parse attaches part of it elsewhere.
        for i in list(t.i for t in region):
            tag = self.by_token.get(i)
            if tag is not None:
                region.extend(self.doc[j] for j in range(tag.start, tag.end))
        return region

    def _institution(self, head: Token) -> bool:
        """A sector word that "in X" places in X: "a court in Guyana", "farmers in Belgium" (but troops or rebels in
        X may be anyone's)."""
        tag = self.by_token.get(head.i)
        return tag is not None and tag.kind == "sector" and tag.value not in ARMED_SECTORS

    def _tags_in(self, region: list[Token]) -> list[Tag]:
        seen: dict[tuple[int, int], Tag] = {}
        for tok in region:
            tag = self.by_token.get(tok.i)
            if tag is not None:
                seen[(tag.start, tag.end)] = tag
        return sorted(seen.values(), key=lambda t: t.start)

    def _sector_in(self, region: list[Token]) -> str | None:
        sectors = [t for t in self._tags_in(region) if t.kind == "sector"]
        if not sectors:
            return None
        return max(sectors, key=lambda t: (t.length, t.priority)).value

    def _actor(self, head: Token, code: str, via: str) -> Actor:
        span = _phrase_span(head)
        return Actor(code, head.i, span.start_char, span.end_char, span.text, via)


def _speaks(token: Token) -> bool:
    """Whether the word is (part of) the subject of a verb of saying: "U.N. investigators said ..."."""
    node = token
    while node.head.i != node.i and node.dep_ not in {"nsubj", "nsubjpass"}:
        node = node.head
    return node.dep_ == "nsubj" and node.head.lemma_.lower() in SPEECH_VERBS | ACCUSING_VERBS


def _names_a_pair(head: Token) -> bool:
    """ "the two sides", "both countries", "the two ministers", "the leaders" (with nothing else said of them)."""
    two = any(c.lower_ in {"two", "both"} and c.dep_ in {"nummod", "det", "predet"} for c in head.children)
    bare_plural = head.lower_ in PAIR_NOUNS and [c.lower_ for c in head.children] == ["the"]
    # "defence officials of the two countries"
    of_pair = any(
        c.dep_ == "prep" and c.lower_ == "of" and any(g.dep_ == "pobj" and _names_a_pair(g) for g in c.children)
        for c in head.children
    )
    return two or bare_plural or of_pair or (head.lower_ in {"both"} and head.dep_ in {"nsubj", "dobj"})


def _home_country(
    tags: Iterable[Tag], title_tags: list[Tag], ontology: Ontology, published: dt.date | None
) -> str | None:
    """The country an article is about. Every country word counts once (a group counts for its country), a word
    in the headline twice; the leader must have at least two, half of all, and half as many again as the next."""
    counts: Counter[str] = Counter()
    unique = {(t.start, t.end): t for t in tags}.values()
    for weight, group in ((1, unique), (TITLE_WEIGHT, title_tags)):
        for tag in group:
            if tag.kind in REGION_KINDS:
                counts[tag.value] += weight
            elif tag.kind == "group":
                counts[ontology.groups[tag.value].actor_on(published)[:3]] += weight
    if not counts:
        return None
    ranked = counts.most_common(2)
    country, n = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if n >= HOME_COUNTRY_MIN_MENTIONS and 2 * n >= sum(counts.values()) and 2 * n >= 3 * runner_up:
        return country
    return None


def _conjuncts(head: Token) -> Iterator[Token]:
    yield head
    for child in head.children:
        # "The US, Russia, and Switzerland": the parser may hang a list off its first item as an apposition.
        if child.dep_ == "conj" or (child.dep_ == "appos" and any(c.dep_ == "cc" for c in child.children)):
            yield from _conjuncts(child)


def _phrase_span(head: Token) -> Span:
    """The noun phrase around `head`, without its conjuncts, clauses or trailing prepositional phrases."""
    left = head.i
    for tok in head.lefts:
        if tok.dep_ not in {"cc", "conj", "punct", "prep"}:
            left = min(left, tok.left_edge.i)
    right = head.i
    for tok in head.rights:
        if tok.dep_ in {"compound", "flat", "nummod", "case"}:
            right = max(right, tok.right_edge.i)
    return head.doc[left : right + 1]
