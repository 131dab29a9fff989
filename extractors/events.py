"""Event assembly: source, action and target from the dependency parse, coded against the ontology.

No evidence, no event: a sentence yields a mention only when a pattern matched an action AND the parse gives a
source actor the ontology can code (and a target where the pattern expects one). There is no default code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import permutations

from spacy.language import Language
from spacy.tokens import Doc, Token

from extractors.actions import (
    INTENT_GOVERNORS,
    ActionMatch,
    PatternIndex,
    modality_of,
    purpose_of,
    requested_by,
)
from extractors.actors import Actor, ActorLexicon, DocumentActors
from extractors.casualties import Casualties, casualties
from extractors.dates import NOUN_HOST_VERBS, is_future, resolve_event_date
from extractors.doc_index import entities_in, forget
from extractors.places import Location, dateline_location, event_location, load_gazetteer, parse_dateline
from schema.ontology import Ontology
from schema.records import ActorCandidate, Article, EventMention, Sentence

SUBJECT_DEPS = {"nsubj", "csubj"}
RELATIVE_PRONOUNS = {"who", "which", "that"}
INHERIT_SUBJECT_DEPS = {"xcomp", "conj", "advcl", "acomp"}
# Verbs whose subject performs the action their object noun names ("Japan held talks", "rebels launched an
# attack"). "Japan condemned the attack" must not make Japan the attacker, so other verbs lend no subject.
SUPPORT_VERBS = INTENT_GOVERNORS | {
    "hold",
    "launch",
    "carry",
    "conduct",
    "mount",
    "stage",
    "make",
    "pay",
    "begin",
    "start",
    "resume",
    "continue",
    "open",
    "host",
    "have",
    "impose",
    "announce",
    "sign",
}


# Verbs that carry an event noun's date ("held talks on Tuesday", "the visit was scheduled for May").
DATE_HOSTS = NOUN_HOST_VERBS | SUPPORT_VERBS

# Prepositions that set a clause in a meeting or event: "at a summit with", "during talks with".
SCENE_PREPS = {"at", "during"}


def stable_id(*parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


# Words that point back at something the article already reported: "condemned the launch", "rejected the order".
ANAPHORIC_DETERMINERS = {"the", "this", "that", "these", "those", "its", "their", "his", "her", "such"}
# Roots whose object is often an earlier act, whose actor is then the target ("Paris rejected the order").
REACTIVE_CODES = ("016", "051", "11", "12", "13")
# Acts whose unnamed target is the actor of the latest earlier act of these roots by someone else: demands and
# appeals for release (1053, 0253) answer arrests and abductions; a raised alert (152) answers threats, shows of
# force and attacks.
RESPONSE_TO = {
    "1053": {"17", "18"},
    "0253": {"17", "18"},
    "152": {"13", "15", "18", "19"},
}
# Prepositions that set an event in a place: "met in Zurich", "a protest in Beijing", "exercises off Taiwan".
PLACE_DEPTH = 3
PLACE_PREPS = {"in", "at", "near", "around", "into", "across", "off", "inside", "outside"}
# Protest with no stated target: ACLED's convention, aimed at the protesters' own authorities.
DOMESTIC_ROOTS = {"14", "17"}
# Aid with no recipient named goes to the country the article is about.
AID_ROOTS = {"07"}


@dataclass(frozen=True)
class Participants:
    sources: list[Actor]
    targets: list[Actor]
    inherited_subject: bool = False
    between: bool = False


Where = tuple[tuple[Location, str] | None, Casualties | None]


@dataclass(frozen=True)
class Scene:
    """What the whole article tells about where its events happen."""

    dateline: str | None
    actor_tokens: set[int]
    home_country: str | None


@dataclass(frozen=True)
class Request:
    """What an appeal, demand or threat is about: the specific code, and the action asked for or threatened."""

    code: str
    asked: ActionMatch
    kind: str  # appeal, demand, threat


# An appeal, demand or threat pattern that says nothing of what is asked or threatened; that makes it specific.
GENERIC_REQUEST_CODES = {"020", "100", "130"}


@dataclass(frozen=True)
class CodedArticle:
    mentions: list[EventMention]
    candidates: list[ActorCandidate]


def _candidates(article: Article, sentences: list[Sentence], actors: DocumentActors) -> list[ActorCandidate]:
    """One row per unknown name: where the text first says who it is."""
    found: dict[str, ActorCandidate] = {}
    for ent, code, evidence, via in actors.unknown:
        key = ent.text.lower()
        index = next((s.sentence_index for s in sentences if s.char_start <= ent.start_char < s.char_end), None)
        if key in found or index is None:
            continue
        found[key] = ActorCandidate(
            candidate_id=stable_id(article.article_id, key),
            article_id=article.article_id,
            sentence_index=index,
            name=ent.text,
            kind="person" if ent.label_ == "PERSON" else "organization",
            actor_code=code,
            evidence=evidence,
            via="title" if via == "title" else "apposition",
        )
    return list(found.values())


class EventCoder:
    """Codes parsed articles into EventMentions. Build once per process; `code_article` is pure."""

    def __init__(self, ontology: Ontology, nlp: Language) -> None:
        self.ontology = ontology
        self.lexicon = ActorLexicon(ontology, nlp.vocab, nlp.make_doc)
        self.patterns = PatternIndex(ontology.patterns)
        # The ontology's country names win over the packages' ("congo" is the DRC in the news we code).
        self.gazetteer = load_gazetteer(tuple((a, c.iso3) for c in ontology.countries.values() for a in c.aliases))

    def code_article(self, article: Article, doc: Doc, sentences: list[Sentence]) -> list[EventMention]:
        return self.code(article, doc, sentences).mentions

    def code(self, article: Article, doc: Doc, sentences: list[Sentence]) -> CodedArticle:
        """The article's event mentions, and the actors it names that the ontology lacks."""
        try:
            return self._code(article, doc, sentences)
        finally:
            forget(doc)  # extractors/doc_index.py: what was cached on the Doc would keep it alive

    def _code(self, article: Article, doc: Doc, sentences: list[Sentence]) -> CodedArticle:
        # Offices are looked up on a date the article states; a file's or the run's date could be years off.
        actors = DocumentActors.build(self.lexicon, doc, _stated_date(article), article.title)
        scene = Scene(parse_dateline(article.text), set(actors.by_token), actors.home_country)
        mentions: dict[str, EventMention] = {}
        for sentence in sentences:
            span = doc.char_span(sentence.char_start, sentence.char_end, alignment_mode="expand")
            if span is None:
                continue
            for match, request in self._requests(list(self.patterns.match_sentence(span))):
                assembled = self._assemble(article, sentence, match, actors, list(mentions.values()), request, scene)
                for mention in assembled:
                    mentions.setdefault(mention.mention_id, mention)
        located = [self._at_home(m) for m in _carry_places(list(mentions.values()), sentences)]
        return CodedArticle(located, _candidates(article, sentences, actors))

    def _requests(self, matches: list[ActionMatch]) -> Iterator[tuple[ActionMatch, Request | None]]:
        """Fold what is asked for into the asking: "X urged Y to lift the ban" is one appeal to ease sanctions
        (0254) from X to Y, not also Y lifting a ban. An appeal verb with no pattern of its own still yields the
        appeal when what it asks for is a coded action ("demanded that Rwanda withdraw its forces" -> 1056)."""
        by_trigger = {m.trigger.i: m for m in matches}
        asked: dict[int, list[Request]] = {}
        for match in matches:
            found = requested_by(match.trigger)
            if found is None:
                continue
            governor, kind = found
            cameo = self.ontology.codes[match.pattern.code]
            if kind == "threat":
                if cameo.threat_code is None and governor.lemma_.lower() != "threaten":
                    continue  # "vowed to help" is a promise, coded as intent; "vowed to retaliate" is a threat
                code = cameo.threat_code or "130"
            else:
                code = cameo.appeal_code or "020"
            if kind == "demand":
                code = "10" + code[2:] if "10" + code[2:] in self.ontology.codes else "100"
            requests = asked.setdefault(governor.i, [])
            if code not in {r.code for r in requests}:
                # "called on both sides to exercise restraint and return to talks": one appeal for each thing.
                requests.append(Request(code, match, kind))
        folded = {r.asked.trigger.i for rs in asked.values() for r in rs}
        for match in matches:
            purpose = purpose_of(match.trigger)
            if match.trigger.i in folded or _is_consequence(match, by_trigger) or (purpose and purpose.i in by_trigger):
                # asked for or threatened: not (yet) done; "killing seven": the casualties of the attack; "fired
                # tear gas to disperse the crowd": the aim of the act, not a second one
                continue
            own: list[Request | None] = list(asked.get(match.trigger.i, [])) or [None]
            for request in own:
                yield match, request
        for i, requests in asked.items():
            if i in by_trigger:
                continue
            governor = requests[0].asked.trigger.doc[i]
            pattern = next((p for p in self.patterns.candidates(governor) if p.code[:2] in {"02", "10"}), None)
            if pattern is not None:
                for request in requests:
                    yield ActionMatch(pattern, governor, None, None, modality_of(governor)), request

    def _assemble(
        self,
        article: Article,
        sentence: Sentence,
        match: ActionMatch,
        actors: DocumentActors,
        earlier: list[EventMention],
        request: Request | None = None,
        scene: Scene | None = None,
    ) -> Iterator[EventMention]:
        if match.modality == "negated":
            return
        if match.modality == "asserted" and _is_historical(match.trigger, _stated_date(article)):
            match = replace(match, modality="historical")
        code = match.pattern.code
        if match.modality == "refused":
            refusal = self.ontology.codes[code].refusal_code
            if not refusal:
                return  # refusing something CAMEO has no refusal code for: no event
            code = refusal
        elif match.modality in {"intended", "hypothetical"} and code[:2] != "03":  # an intent is already one
            intent = self.ontology.codes[code].intent_code
            if not intent:
                return  # an intention to do something CAMEO has no intent code for: no evidence of an event
            code = intent
        if request is not None and code in GENERIC_REQUEST_CODES:
            code = request.code
        found = self._participants(match, actors)
        instrument = self._instrument(match, actors) if not found.sources else None
        if instrument is not None:
            # "Four children were killed in Israeli tank shelling": the shelling is the event, Israel its source.
            code, sources = instrument
            found = replace(found, sources=sources)
        elif match.modality == "asserted" and match.trigger.lemma_.lower() in CONSEQUENCE_VERBS:
            # "An Israeli air strike destroyed the consulate": the strike is the event; the sources are its actors.
            subject, _ = _subject_of(match.trigger)
            attack = self._attack_code(subject) if subject is not None else None
            code = attack or code
        if request is not None and found.sources and not found.targets:
            if request.kind == "threat":
                # "threatened to retaliate against U.S. warships", "vowed that Israel would be punished": the target
                # of the action threatened.
                found = replace(found, targets=self._participants(request.asked, actors).targets)
            elif request.asked.pattern.pos == "NOUN":
                # "called for talks with China": those the asked-for act would involve.
                found = replace(found, targets=self._participants(request.asked, actors).targets)
            else:
                # "demanded that Rwanda withdraw": the one asked is the subject of what is asked for.
                asked, _ = _subject_of(request.asked.trigger)
                if asked is not None:
                    found = replace(found, targets=actors.resolve(asked))
        several_mutual = _mutual(match, found) and len(found.sources) >= 2
        where = self._where(match, code, scene, found.sources)
        if found.sources and not found.targets and not found.between and not several_mutual:
            located = where[0][0].country_code if where[0] is not None else None
            found = self._implied_target(match, found, actors, earlier, sentence.sentence_index, located)
        reverse = self.ontology.codes[code].reverse_code
        if code[:2] == "04":
            # "Japan hosts 54,000 U.S. military personnel": troops stationed are not a visit or a meeting.
            found = replace(found, targets=[t for t in found.targets if not t.code.endswith("MIL")])
        dyads = self._dyads(match, found)
        if not dyads:
            return
        for source, target in dyads:
            if _mass_killing(match, target, where[1]):
                yield self._mention(article, sentence, match, MASS_KILLING_CODE, source, target, found, where)
                continue
            yield self._mention(article, sentence, match, code, source, target, found, where)
            if reverse and target is not None:
                # "Tinubu received Bawumia": the host's event says the guest visited.
                yield self._mention(article, sentence, match, reverse, target, source, found, where)

    def _at_home(self, mention: EventMention) -> EventMention:
        """An act an actor does alone or to its own country ("North Korea fired missiles", "Venezuela's Supreme
        Court upheld a ban") happened in its country, when nothing else says where: located at country level."""
        if mention.country_code is not None or mention.source_actor is None:
            return mention
        country = mention.source_actor[:3]
        if mention.target_actor is not None and mention.target_actor[:3] != country:
            return mention
        place = self.gazetteer.country(country) if country in self.ontology.countries else None
        if place is None:
            return mention
        update = {f: getattr(place, f) for f in LOCATION_FIELDS} | {"location_source": "actor", "geo_precision": 3}
        return mention.model_copy(update=update)

    def _where(self, match: ActionMatch, code: str, scene: Scene | None, sources: list[Actor]) -> Where:
        """Where the event happened, and its dead and injured where the sentence counts them (violent codes only:
        "accused Ukraine of downing the plane, killing 65" gives the accusation no deaths)."""
        location, source = None, "sentence"
        if scene is not None:
            # Verbal acts (quad classes 1 and 3) happen where they are said, not where their topic is:
            # "discussed the situation in Ukraine" did not take place in Ukraine.
            # Meetings and visits (04) and protests (14) do happen somewhere, whatever their quad class.
            verbal = self.ontology.codes[code].quad_class in {1, 3} and code[:2] not in {"04", "14"}
            objects: list[Token] | None = [match.object] if match.object is not None else []
            if not verbal:
                # The object's place phrases, and the subject's: "workers at a mine near Rustenburg went on strike".
                doc = match.trigger.doc
                direct = [c for c in match.trigger.children if c.dep_ in {"dobj", "obj"}]
                objects = list(dict.fromkeys([*(objects or []), *direct, *(doc[s.head] for s in sources)]))
            location = event_location(
                match.trigger,
                self.gazetteer,
                home_country=scene.home_country,
                dateline=None,
                actor_tokens=scene.actor_tokens,
                objects=objects,
            )
            if location is None and scene.dateline:
                location = dateline_location(scene.dateline, self.gazetteer, scene.home_country)
                source = "dateline"
        toll = casualties(match.trigger) if code[:2] in VIOLENT_ROOTS else None
        return ((location, source) if location is not None else None), toll

    @staticmethod
    def _dyads(match: ActionMatch, found: Participants) -> list[tuple[Actor, Actor | None]]:
        mutual = _mutual(match, found)
        if found.between and not mutual:
            # "Oman mediated between the Houthis and Saudi Arabia": one event to each side.
            return [(s, t) for s in found.sources for t in found.targets if s.code != t.code]
        if found.between or (mutual and len(found.sources) >= 2 and not found.targets):
            group = found.sources + [t for t in found.targets if t.code not in {s.code for s in found.sources}]
            return [(a, b) for a, b in permutations(group, 2) if a.code != b.code] if mutual else []
        if found.sources and found.targets:
            return [(s, t) for s in found.sources for t in found.targets if s.code != t.code]
        if found.sources and not match.pattern.target:
            return [(s, None) for s in found.sources]
        return []

    def _implied_target(
        self,
        match: ActionMatch,
        found: Participants,
        actors: DocumentActors,
        earlier: list[EventMention],
        sentence_index: int,
        located: str | None = None,
    ) -> Participants:
        """A target the syntax does not name but the text implies, tried in order:
        1. the actor of an earlier act the object refers back to ("Paris rejected the order": the order's giver);
        2. the place the event happened in, when it is a country or a capital ("met in Zurich" -> CHE);
        3. for protests, the protesters' own country ("marched against a housing levy").
        An unnamed group ("killed 12 people in Kharkiv") belongs to the country the event is `located` in."""
        root = match.pattern.code[:2]
        sources = {s.code[:3] for s in found.sources}
        unnamed = self._unnamed_target(match, actors)
        if unnamed is not None and len(sources) == 1:
            # "Sudanese soldiers killed seven civilians": whose civilians the text does not say; those of the place
            # it happened in, else of the country the article is about, else the attackers' own.
            noun, sector = unnamed
            where = self._place(match, actors)
            country = where.code if where is not None else located or actors.home_country or next(iter(sources))
            if country in self.ontology.countries:
                span_end = noun.idx + len(noun.text)
                actor = Actor(country + sector, noun.i, noun.idx, span_end, noun.text, "context")
                return replace(found, targets=[actor])
        responded = self._responded_to(match.pattern.code, sources, earlier)
        if responded is not None:
            anchor = found.sources[0]
            actor = Actor(responded, anchor.head, anchor.start_char, anchor.end_char, "", "antecedent")
            return replace(found, targets=[actor])
        obj = _direct_object(match)
        if obj is not None and not match.pattern.target:
            # A pattern with no target slot whose object still names someone: "denied Kyiv's accusation".
            named = [a for a in actors.resolve(obj) if a.code[:3] not in sources]
            if named:
                return replace(found, targets=named)
        if obj is None or not _refers_back(obj, actors):
            # "objected to the guidelines": the thing reacted to may sit in a target preposition.
            slots = [t.split(":", 1)[1] for t in match.pattern.target if t.startswith("prep:")]
            obj = next(
                (o for prep in slots for o in _prep_objects(match.trigger, prep) if _refers_back(o, actors)), obj
            )
        if obj is None and match.pattern.code.startswith(REACTIVE_CODES):
            # "Russia warned that the deliveries would prolong the war": what is reacted to is the clause's subject.
            clause = next((c for c in match.trigger.children if c.dep_ == "ccomp"), None)
            obj = next((c for c in clause.children if c.dep_ == "nsubj"), None) if clause is not None else None
        if match.pattern.code.startswith(REACTIVE_CODES) and obj is not None and _refers_back(obj, actors):
            if actors.is_said(obj):  # "denied the allegations": whoever made them
                antecedent = actors.antecedent(obj, sources)
            else:
                antecedent = self._antecedent(obj, sources, earlier, sentence_index) or actors.antecedent(obj, sources)
            if antecedent is not None:
                return replace(found, targets=[antecedent])
        if obj is not None and _refers_back(obj, actors):
            # "Germany, Britain and Italy suspended their contributions" after the US paused its funding for UNRWA:
            # the same kind of act by others, towards the same target.
            same = next(
                (
                    m
                    for m in reversed(earlier)
                    if m.root_code == root
                    and m.target_actor
                    and m.target_actor[:3] not in sources
                    and sentence_index - 3 <= m.sentence_index
                ),
                None,
            )
            if same is not None:
                end = obj.idx + len(obj.text)
                actor = Actor(str(same.target_actor), obj.i, obj.idx, end, same.target_text or "", "antecedent")
                return replace(found, targets=[actor])
        # Violence or protest in the actor's own country is aimed at it ("Boko Haram launched attacks in Nigeria");
        # a summit in one's own country is not aimed at it.
        own_place_ok = root in VIOLENT_ROOTS or root in DOMESTIC_ROOTS
        place = self._place(match, actors, exclude=None if own_place_ok else sources)
        if place is not None:
            return replace(found, targets=[place])
        home = actors.home_country
        if root in AID_ROOTS and home is not None and home not in sources:
            # "Japan will contribute $20 million in emergency food aid" in an article about Afghanistan.
            anchor = found.sources[0]
            actor = Actor(home, anchor.head, anchor.start_char, anchor.end_char, "", "home")
            return replace(found, targets=[actor])
        if root in DOMESTIC_ROOTS and len(sources) == 1:
            source = found.sources[0]
            country = source.code[:3]
            if country in self.ontology.countries:
                actor = Actor(country, source.head, source.start_char, source.end_char, source.text, "domestic")
                return replace(found, targets=[actor])
        return found

    @staticmethod
    def _responded_to(code: str, sources: set[str], earlier: list[EventMention]) -> str | None:
        """Acts that answer an earlier act of another's and are aimed at its actor: "demanded their release" at
        whoever detained them, "raised its alert level" at whoever fired the missiles."""
        roots = RESPONSE_TO.get(code)
        if roots is None:
            return None
        for mention in reversed(earlier):
            actor = mention.source_actor
            if mention.root_code in roots and actor is not None and actor[:3] not in sources:
                return actor
        return None

    def _instrument(self, match: ActionMatch, actors: DocumentActors) -> tuple[str, list[Actor]] | None:
        """A casualty verb in the passive with no agent, whose "in"/"by" phrase is an attack with an actor: the code
        of the attack and who carried it out."""
        trigger = match.trigger
        if trigger.lemma_.lower() not in CASUALTY_VERBS or not any(c.dep_ == "auxpass" for c in trigger.children):
            return None
        for prep in ("in", "by"):
            for noun in _prep_objects(trigger, prep):
                attack = self._attack_code(noun)
                sources = actors.resolve(noun) if attack else []
                if attack and sources:
                    return attack, sources
        return None

    def _attack_code(self, noun: Token) -> str | None:
        """The violent code a noun names, its modifier first: "air strike" and "drone strike" are 195, "strike" alone
        190, "artillery shelling" 194."""
        if noun.pos_ not in {"NOUN", "PROPN"}:
            return None
        violent = [p for p in self.patterns.candidates(noun) if p.pos == "NOUN" and p.code[:2] in VIOLENT_ROOTS]
        return violent[0].code if violent else None

    @staticmethod
    def _place(match: ActionMatch, actors: DocumentActors, exclude: set[str] | None = None) -> Actor | None:
        """The country the event happened in, from "in Zurich", "in Japan or China" (not one in `exclude`: Abe
        holding a summit in Japan is no event towards Japan)."""
        hosts = [match.trigger] + ([match.object] if match.object is not None else [])
        # Down a chain of place phrases too: "launched attacks during its campaign in northeastern Nigeria",
        # "detonated a bomb at a market in Pishin in Pakistan's Balochistan province".
        frontier = list(hosts)
        for _ in range(PLACE_DEPTH):
            frontier = [
                pobj
                for host in frontier
                for node in [host, *(c for c in host.children if c.dep_ == "acl")]  # "a bomb hidden at a market"
                for pobj in _all_prep_objects(node)
                if pobj.pos_ in {"NOUN", "PROPN"}
            ]
            hosts += frontier
        for host in hosts:
            for prep in PLACE_PREPS:
                for pobj in _prep_objects(host, prep):
                    for member in [pobj, *(c for c in pobj.children if c.dep_ == "conj")]:
                        place = actors.place(member)
                        if place is not None and place.code not in (exclude or set()):
                            return place
        return None

    @staticmethod
    def _unnamed_target(match: ActionMatch, actors: DocumentActors) -> tuple[Token, str] | None:
        """The target slot holds a sector word with no country ("civilians", "protesters")."""
        for patient in match.trigger.children:
            if patient.dep_ == "nsubjpass":  # "four children were killed"
                sector = actors.sector_only(patient)
                if sector is not None:
                    return patient, sector
        for place in match.pattern.target:
            if place == "dobj":
                heads = [c for c in match.trigger.children if c.dep_ in {"dobj", "obj"} and c != match.object]
            elif place.startswith("prep:"):
                heads = _prep_objects(match.trigger, place.split(":", 1)[1])
            else:
                continue
            for head in heads:
                sector = actors.sector_only(head)
                if sector is not None:
                    return head, sector
        return None

    def _antecedent(
        self, noun: Token, exclude: set[str], earlier: list[EventMention], sentence_index: int
    ) -> Actor | None:
        """The earlier act a noun refers back to: one of the same kind anywhere before ("the launch" -> "fired
        missiles", both root 15), else the latest act of the last three sentences by someone else."""
        roots = self.patterns.roots_of(noun.lemma_.lower())
        others = [m for m in reversed(earlier) if m.source_actor and m.source_actor[:3] not in exclude]
        same_kind = [m for m in others if m.root_code in roots]
        nearby = [m for m in others if sentence_index - 3 <= m.sentence_index]
        for chosen in same_kind + nearby:
            end = noun.idx + len(noun.text)
            return Actor(str(chosen.source_actor), noun.i, noun.idx, end, chosen.source_text, "antecedent")
        return None

    # -- who did it, to whom ------------------------------------------------------------------------------------
    def _participants(self, match: ActionMatch, actors: DocumentActors) -> Participants:
        trigger = match.trigger
        if match.pattern.pos == "NOUN":
            return self._noun_participants(match, actors)
        passive_subject = next((c for c in trigger.children if c.dep_ == "nsubjpass"), None)
        agent = next((c for c in trigger.children if c.dep_ == "agent"), None)
        inherited = False
        if passive_subject is not None or agent is not None:
            subject = _pobj(agent) if agent is not None else None
        else:
            subject, inherited = _subject_of(trigger)
        sources = actors.resolve(subject) if subject is not None else []
        patient = passive_subject if passive_subject is not None and passive_subject != match.object else None
        targets, between = self._targets(match, actors, patient)
        if not targets and trigger.dep_ == "acl" and trigger.head.dep_ == "pobj":
            # "exchanged prisoners in a deal mediated by the UAE": the deal's parties are the clause's subjects.
            clause = trigger.head.head.head
            parties, _ = _subject_of(clause) if clause.pos_ == "VERB" else (None, False)
            if parties is not None:
                targets = [a for a in actors.resolve(parties) if a.code not in {s.code for s in sources}]
        return Participants(sources, targets, inherited, between)

    def _noun_participants(self, match: ActionMatch, actors: DocumentActors) -> Participants:
        noun = match.trigger
        between = _prep_objects(noun, "between")
        if between:
            group = [a for head in between for a in actors.resolve(head)]
            return Participants(group, [], False, True)
        source_heads = [c for c in noun.children if c.dep_ == "poss"]
        source_heads += [t for t in _prep_objects(noun, "by")]
        # "launches conducted by North Korea": the agent of a participle that does the act the noun names (not
        # "a truce mediated by Qatar", whose mediator is no party to the truce).
        source_heads += [
            t
            for acl in noun.children
            if acl.dep_ == "acl" and acl.lemma_.lower() in SUPPORT_VERBS
            for t in _prep_objects(acl, "by")
        ]
        source_heads += [c for c in noun.children if c.dep_ == "compound" and c.i in actors.by_token]
        inherited = False
        naming = any(c.dep_ == "oprd" for c in noun.head.children)  # "called the arrests a kidnapping"
        if (
            not source_heads
            and not naming
            and noun.dep_ in {"dobj", "nsubjpass"}
            and noun.head.lemma_.lower() in SUPPORT_VERBS
        ):
            subject, _ = _subject_of(noun.head)
            if subject is not None:
                source_heads, inherited = [subject], True
        scene = noun.head if noun.dep_ == "pobj" else None
        if not source_heads and scene is not None and scene.lower_ in SCENE_PREPS and scene.head.pos_ == "VERB":
            # "At a summit with Abe in Beijing, Xi said ...", "During talks with Kyiv, Moscow agreed ...": the
            # subject of the clause the meeting is the scene of took part in it.
            subject, _ = _subject_of(scene.head)
            if subject is not None:
                source_heads, inherited = [subject], True
        sources = [a for head in source_heads for a in actors.resolve(head)]
        targets, _ = self._targets(match, actors, None)
        return Participants(sources, targets, inherited, False)

    def _targets(self, match: ActionMatch, actors: DocumentActors, patient: Token | None) -> tuple[list[Actor], bool]:
        hosts = [match.trigger] + ([match.object] if match.object is not None else [])
        # Where the parser hangs a phrase on a word inside the object ("aid worth 28 billion euros to Ukraine"),
        # or the action the verb announces ("threatened to retaliate against U.S. warships"): searched last.
        inner = _object_phrase(match) + _announced_action(match.trigger)
        for place in match.pattern.target:
            found = self._slot(place, match, hosts, actors, patient)
            if found:
                return found, place == "prep:between"
        for place in match.pattern.target:
            if place.startswith("prep:") or place == "dobj":
                found = self._slot(place, match, inner, actors, None, nested=True)
                if found:
                    return found, place == "prep:between"
        return [], False

    def _slot(
        self,
        place: str,
        match: ActionMatch,
        hosts: list[Token],
        actors: DocumentActors,
        patient: Token | None,
        nested: bool = False,
    ) -> list[Actor]:
        heads: list[Token] = []
        if place == "dobj":
            if patient is not None:
                heads = [patient]
            else:
                objects = hosts if nested else [match.trigger]
                heads = [c for h in objects for c in h.children if c.dep_ in {"dobj", "obj"} and c != match.object]
                if not heads and not nested and _relative_gap(match.trigger):
                    heads = [match.trigger.head]  # "six soldiers they had kidnapped": the noun is the object
        elif place == "poss":
            heads = [c for c in match.trigger.children if c.dep_ == "poss"]
        else:
            heads = [t for host in hosts for t in _prep_objects(host, place.split(":", 1)[1])]
        found = [a for head in heads for a in actors.resolve(head)]
        if not found and place.startswith("prep:"):
            # "sent troops to its border with Ecuador": the place phrase names the actor one step down.
            deeper = [t for head in heads if head.pos_ == "NOUN" for t in _all_prep_objects(head)]
            found = [a for head in deeper for a in actors.resolve(head)]
        return found

    # -- the record ---------------------------------------------------------------------------------------------
    def _mention(
        self,
        article: Article,
        sentence: Sentence,
        match: ActionMatch,
        code: str,
        source: Actor,
        target: Actor | None,
        found: Participants,
        where: Where = (None, None),
    ) -> EventMention:
        cameo = self.ontology.codes[code]
        located, toll = where
        location, location_source = located if located is not None else (None, None)
        future = is_future(match.trigger, match.modality)
        when = resolve_event_date(match.trigger, article.published_date, future=future, host_verbs=DATE_HOSTS)
        event_date = when.date
        target_code = target.code if target is not None else None
        verb_text = " ".join(t.text for t in match.words)
        confidence = 0.9
        if found.inherited_subject:
            confidence -= 0.1
        if "memory" in {source.via, target.via if target else ""}:
            confidence -= 0.15
        if match.modality == "intended":
            confidence -= 0.1
        elif match.modality == "hypothetical":
            confidence -= 0.3
        event_id = stable_id(event_date, source.code, target_code, code, None)
        mention_id = stable_id(
            article.article_id, sentence.sentence_index, match.trigger.idx, source.code, target_code, code
        )
        return EventMention(
            mention_id=mention_id,
            event_id=event_id,
            article_id=article.article_id,
            sentence_index=sentence.sentence_index,
            source_actor=source.code,
            target_actor=target_code,
            event_code=code,
            root_code=cameo.root_code,
            quad_class=cameo.quad_class,
            goldstein=cameo.goldstein,
            modality=match.modality,
            event_date=event_date,
            event_date_end=when.end,
            date_precision=when.precision,
            date_text=when.text,
            location_name=location.location_name if location else None,
            admin1=location.admin1 if location else None,
            country_code=location.country_code if location else None,
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
            geo_precision=location.geo_precision if location else None,
            location_source=location_source,
            fatalities=toll.fatalities if toll else None,
            fatalities_at_least=toll.fatalities_at_least if toll and toll.fatalities is not None else None,
            injured=toll.injured if toll else None,
            injured_at_least=toll.injured_at_least if toll and toll.injured is not None else None,
            source_text=source.text,
            target_text=target.text if target is not None and target.via not in {"domestic", "home"} else None,
            verb_text=verb_text,
            pattern_id=match.pattern.pattern_id,
            confidence=round(max(confidence, 0.05), 2),
        )


YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
HISTORICAL_YEARS = 2  # an act dated two or more calendar years before the article is background, not news


def _is_historical(trigger: Token, published: dt.date | None) -> bool:
    """Background, not news: "severed ties with Israel in 2009", "the 40th anniversary of the treaty"."""
    if any(t.lemma_.lower() == "anniversary" for t in trigger.ancestors):
        return True
    if published is None:
        return False
    for ent in entities_in(trigger.sent):
        if ent.label_ != "DATE":
            continue
        years = [int(y) for y in YEAR.findall(ent.text)]
        if not years or max(years) > published.year - HISTORICAL_YEARS or _clause_verb(ent.root) != trigger:
            continue
        prep = ent.root.head
        if not (prep.dep_ == "prep" and prep.lower_ in {"since", "until", "till"}):
            return True
    return False


def _clause_verb(token: Token) -> Token:
    """The verb (or the sentence root) whose clause a word belongs to."""
    node = token
    while node.head.i != node.i and node.pos_ not in {"VERB", "AUX"}:
        node = node.head
    return node


LOCATION_FIELDS = ("location_name", "admin1", "country_code", "latitude", "longitude", "geo_precision")


def _stated_date(article: Article) -> dt.date | None:
    """The publication date when the article itself states it (not the file's or the run's date)."""
    return article.published_date if article.date_source in {"header", "field"} else None


def _carry_places(mentions: list[EventMention], sentences: list[Sentence]) -> list[EventMention]:
    """A sentence that names no place continues the scene of the last placed event of its paragraph (or of the lead
    paragraph) when they share a country: "Japan and China held talks in Beijing on Tuesday. ... Kamikawa met her
    Chinese counterpart Wang Yi" happened in Beijing too. Such a place says `location_source` = 'context'."""
    paragraph_of = {s.sentence_index: s.paragraph_index for s in sentences}
    last: dict[int, EventMention] = {}
    lead: EventMention | None = None
    out = []
    for mention in sorted(mentions, key=lambda m: m.sentence_index):
        if mention.country_code is not None:
            paragraph = paragraph_of.get(mention.sentence_index, 0)
            last[paragraph] = mention
            if lead is None and paragraph == min(paragraph_of.values(), default=0):
                lead = mention
            out.append(mention)
            continue
        paragraph = paragraph_of.get(mention.sentence_index, 0)
        scene = last.get(paragraph) or lead
        if scene is not None and scene.sentence_index <= mention.sentence_index and _shares_country(mention, scene):
            update: dict[str, object] = {f: getattr(scene, f) for f in LOCATION_FIELDS}
            mention = mention.model_copy(update=update | {"location_source": "context"})
        out.append(mention)
    return out


def _shares_country(mention: EventMention, scene: EventMention) -> bool:
    ours = {(c or "")[:3] for c in (mention.source_actor, mention.target_actor)} - {""}
    theirs = {(c or "")[:3] for c in (scene.source_actor, scene.target_actor, scene.country_code)} - {""}
    return bool(ours & theirs)


def _direct_object(match: ActionMatch) -> Token | None:
    """The thing acted on: a light verb's own object noun ("denied the allegations") or the verb's object."""
    if match.object is not None:
        return match.object
    return next((c for c in match.trigger.children if c.dep_ in {"dobj", "obj"}), None)


def _refers_back(noun: Token, actors: DocumentActors) -> bool:
    """ "the launch", "this decision", "their demands": a definite common noun that names no actor itself; or the
    noun a relative clause hangs on after a comma ("..., a charge Kigali denies")."""
    if noun.pos_ != "NOUN" or actors.names_someone(noun):
        return False
    if any(c.dep_ == "relcl" for c in noun.children) and noun.dep_ == "appos":
        return True
    return any(c.dep_ in {"det", "poss"} and c.lower_ in ANAPHORIC_DETERMINERS for c in noun.children)


CONSULT_CODES = {"040", "041", "042", "043", "044", "046"}  # not 045: mediators do not consult each other


def _mutual(match: ActionMatch, found: Participants) -> bool:
    """Mutual by the pattern, or a consultation (04) that actors of several countries take part in together:
    "Mori, Kong and defence officials are to attend the dialogue"."""
    if match.pattern.mutual:
        return True
    countries = {s.code[:3] for s in found.sources}
    return match.pattern.code in CONSULT_CODES and not found.targets and len(countries) >= 2


def _relative_gap(verb: Token) -> bool:
    """A relative clause with its own subject and no object: its head noun is the object."""
    return (
        verb.dep_ == "relcl"
        and verb.head.pos_ in {"NOUN", "PROPN"}
        and any(c.dep_ == "nsubj" for c in verb.children)
        and not any(c.dep_ in {"dobj", "obj"} for c in verb.children)
    )


CASUALTY_VERBS = {"kill", "wound", "injure", "hurt", "maim"}
# What an attack does, when the attack itself is the subject: "a missile strike killed 12", "an air strike destroyed".
CONSEQUENCE_VERBS = CASUALTY_VERBS | {"destroy", "damage", "hit", "level", "flatten", "raze"}
VIOLENT_ROOTS = {"17", "18", "19", "20"}


# CAMEO 202 "engage in mass killings": the killing of many non-combatants. From how many: UCDP's threshold for
# counting one-sided violence against civilians, 25 deaths.
MASS_KILLING_CODE = "202"
MASS_KILLING_MIN_DEATHS = 25
KILLING_VERBS = {"kill", "massacre", "slaughter", "execute", "murder", "shoot"}
CIVILIAN_SECTORS = ("CVL", "REF", "EDU", "HLH")


def _mass_killing(match: ActionMatch, target: Actor | None, toll: Casualties | None) -> bool:
    """ "Soldiers killed at least 40 villagers": a killing of at least MASS_KILLING_MIN_DEATHS civilians the verb
    itself states (an air strike that kills civilians stays an air strike)."""
    if match.modality != "asserted" or target is None or toll is None or toll.fatalities is None:
        return False
    return (
        match.trigger.lemma_.lower() in KILLING_VERBS
        and target.code.endswith(CIVILIAN_SECTORS)
        and toll.fatalities >= MASS_KILLING_MIN_DEATHS
    )


def _is_consequence(match: ActionMatch, by_trigger: dict[int, ActionMatch]) -> bool:
    """ "Warplanes bombed RSF positions, killing seven people": the killing is what the bombing did (its
    casualties), not a second event. A participle clause of a casualty verb under a violent action."""
    trigger = match.trigger
    if trigger.lemma_.lower() not in CASUALTY_VERBS or trigger.tag_ != "VBG":
        return False
    if trigger.dep_ not in {"advcl", "xcomp", "conj"}:
        return False
    head = by_trigger.get(trigger.head.i)
    return head is not None and head.pattern.code[:2] in VIOLENT_ROOTS


def _all_prep_objects(host: Token) -> list[Token]:
    return [p for c in host.children if c.dep_ == "prep" and c.lower_ != "of" for p in c.children if p.dep_ == "pobj"]


def _object_phrase(match: ActionMatch) -> list[Token]:
    """Nouns inside the object phrase, outside clauses of their own."""
    obj = match.object or next((c for c in match.trigger.children if c.dep_ in {"dobj", "obj"}), None)
    if obj is None:
        return []
    out, stack = [], list(obj.children)
    while stack:
        tok = stack.pop()
        if tok.dep_ in {"relcl", "acl", "advcl", "ccomp", "conj", "appos"}:
            continue
        if tok.pos_ in {"NOUN", "PROPN", "NUM", "ADJ"}:
            out.append(tok)
        stack.extend(tok.children)
    return out


def _announced_action(verb: Token) -> list[Token]:
    """The action a verb of threat, promise or warning announces: "threatened to retaliate" -> retaliate."""
    return [c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]


def _pobj(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ == "pobj"), None)


def _prep_objects(host: Token, prep: str) -> list[Token]:
    out = []
    for child in host.children:
        # spaCy labels "to X" after give-type verbs ("sent aid to Sri Lanka") as `dative`.
        if child.dep_ in {"prep", "agent", "dative"} and child.lower_ == prep:
            pobj = _pobj(child)
            if pobj is not None:
                out.append(pobj)
    return out


def _subject_of(verb: Token) -> tuple[Token | None, bool]:
    """The subject of a verb, borrowed from the governing verb for "agreed to meet" and "met and discussed"."""
    node, inherited = verb, False
    for _ in range(4):
        subject = next((c for c in node.children if c.dep_ in SUBJECT_DEPS), None)
        if subject is None and inherited:
            subject = next((c for c in node.children if c.dep_ == "nsubjpass"), None)
        if subject is not None:
            if subject.lower_ in RELATIVE_PRONOUNS and node.dep_ == "relcl":
                return node.head, True
            return subject, inherited
        if node.dep_ == "pcomp" and node.head.dep_ == "prep" and node.head.head.pos_ == "VERB":
            # "Grossi said after meeting Eslami": the meeter is the subject; "accused Rwanda of sending troops":
            # the sender is the object.
            governor = node.head.head
            controller = next((c for c in governor.children if c.dep_ in {"dobj", "obj"}), None)
            if node.head.lower_ in {"of", "for"} and controller is not None:
                return controller, True
            node, inherited = governor, True
            continue
        if node.dep_ in INHERIT_SUBJECT_DEPS and node.head.i != node.i:
            governor = node.head
            # Object control: in "X urged Beijing to lift the ban" the one who lifts is Beijing, not X.
            controller = next((c for c in governor.children if c.dep_ in {"dobj", "obj"}), None)
            if node.dep_ == "xcomp" and controller is not None and controller.i < node.i:
                return controller, True
            node, inherited = governor, True
            continue
        break
    return None, inherited
