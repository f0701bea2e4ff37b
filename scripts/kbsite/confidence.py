"""Confidence in each finding, on the GRADE-CERQual scale, computed by published rules.

Why a module of its own, pure and with its own small input types: the rating must be the same
whichever way the knowledge base is loaded, and a reader must be able to check it by hand. So
the pipeline maps its entries onto the frozen `*Facts` inputs below, `rate()` turns them into a
`Rating`, and `rules_page_context()` describes the very same `Rule` objects for the page "How
confidence is rated". Changing a rule or a threshold changes both at once; nothing else in the
code base decides a confidence level.

The approach follows GRADE-CERQual (Lewin et al. 2018, Implementation Science 13, the series'
introduction, doi:10.1186/s13012-017-0688-3, and paper 2 on the overall assessment,
doi:10.1186/s13012-017-0689-2): four components, each with a concern level, and an overall level
that starts at high and is rated down for the concerns. CERQual leaves each judgement to review
authors; here the judgements are mechanical rules over the facts the knowledge base records,
which is cruder but reproducible. Editors may override a component, always with a written
reason, and the page says so.

Counting follows two hard rules: evidence is counted by *study*, never by citation (a study
reported twice counts once), and a finding whose only evidence is the editors' inference from
the abstract of one study is never rated above low, whatever the components say.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# ---------------------------------------------------------------------------------------------
# Scales


class Level(Enum):
    """The four overall levels of confidence, best first."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very low"

    @property
    def rank(self) -> int:
        """3 for high down to 0 for very low, so levels can be compared and capped."""
        return len(LEVELS) - 1 - LEVELS.index(self)


LEVELS: tuple[Level, ...] = tuple(Level)


class Concern(Enum):
    """How much a component lowers confidence, in CERQual's four steps."""

    NONE = "none"
    MINOR = "minor"
    MODERATE = "moderate"
    SERIOUS = "serious"

    @property
    def rank(self) -> int:
        """0 for none up to 3 for serious."""
        return CONCERNS.index(self)


CONCERNS: tuple[Concern, ...] = tuple(Concern)


class Component(Enum):
    """The four CERQual components, in the order CERQual lists them."""

    METHODOLOGICAL_LIMITATIONS = "methodological-limitations"
    COHERENCE = "coherence"
    ADEQUACY = "adequacy"
    RELEVANCE = "relevance"


COMPONENTS: tuple[Component, ...] = tuple(Component)

COMPONENT_NAMES: dict[Component, str] = {
    Component.METHODOLOGICAL_LIMITATIONS: "methodological limitations",
    Component.COHERENCE: "coherence",
    Component.ADEQUACY: "adequacy of data",
    Component.RELEVANCE: "relevance",
}

# Paraphrased from the CERQual definitions (Lewin et al. 2018); the page cites them.
COMPONENT_MEANINGS: dict[Component, str] = {
    Component.METHODOLOGICAL_LIMITATIONS: (
        "How far problems in the way the contributing studies were designed or carried out, "
        "or the editors' inability to appraise them, could distort the finding."
    ),
    Component.COHERENCE: (
        "How well the finding fits the data of all contributing studies, including any data "
        "that contradicts it or pulls the other way."
    ),
    Component.ADEQUACY: (
        "How much data stands behind the finding and how rich it is: the number of "
        "independent studies, their samples, and how much of each report was read."
    ),
    Component.RELEVANCE: (
        "How well the contributing data fits what the finding is about: the principle it is "
        "linked to, and the setting (project stage, deployment, kind of ML, sector) it claims."
    ),
}

LEVEL_MEANINGS: dict[Level, str] = {
    Level.HIGH: "It is very probable that the finding is a fair account of what it describes.",
    Level.MODERATE: "It is probable that the finding is a fair account of what it describes.",
    Level.LOW: "The finding may be a fair account of what it describes, but it may not be.",
    Level.VERY_LOW: "It is unclear whether the finding is a fair account of what it describes.",
}
"""Paraphrased from the CERQual level definitions (Lewin et al. 2018, introduction to the
series, table 3), which speak of a finding being a reasonable representation of the phenomenon
of interest."""

LEVEL_SYMBOLS: dict[Level, str] = {
    Level.HIGH: "●●●●",
    Level.MODERATE: "●●●○",
    Level.LOW: "●●○○",
    Level.VERY_LOW: "●○○○",
}
"""A shape per level, so lists can show the level without relying on colour; always shown
next to the level in words (screen readers read the words, the symbols are decoration)."""

CITATIONS: tuple[tuple[str, str], ...] = (
    (
        "Lewin S, Booth A, Glenton C, et al. Applying GRADE-CERQual to qualitative evidence "
        "synthesis findings: introduction to the series. Implementation Science. "
        "2018;13(Suppl 1):2.",
        "https://doi.org/10.1186/s13012-017-0688-3",
    ),
    (
        "Lewin S, Bohren M, Rashidian A, et al. Applying GRADE-CERQual to qualitative evidence "
        "synthesis findings—paper 2: how to make an overall CERQual assessment of confidence "
        "and create a Summary of Qualitative Findings table. Implementation Science. "
        "2018;13(Suppl 1):10.",
        "https://doi.org/10.1186/s13012-017-0689-2",
    ),
)

# ---------------------------------------------------------------------------------------------
# Vocabularies the rules depend on. They mirror the data model's; the integration should test
# that every study design and link kind of the model has an entry here.

LINKS = ("stated", "inferred", "cross-cutting")
"""`cross-cutting` evidence speaks of MLOps principles in general and the finding claims no
more, so, like `stated`, it involves no inference by the editors."""

KINDS = ("primary", "secondary", "mixed")
"""`mixed` studies (a review plus new data) count as primary: they bring data of their own."""

PRIMARY_KINDS = frozenset({"primary", "mixed"})


@dataclass(frozen=True)
class DesignNote:
    """What a study design brings, as far as confidence is concerned."""

    label: str
    concern: Concern
    why: str
    suggestion: str
    """How to name a new study of this design in a "what would raise it" sentence, or '' when
    the design is not one to suggest."""


DESIGNS: dict[str, DesignNote] = {
    "interviews": DesignNote("Interviews", Concern.NONE, "", "an interview study"),
    "focus-groups": DesignNote("Focus groups", Concern.NONE, "", "a focus-group study"),
    "survey": DesignNote("Survey", Concern.NONE, "", "a survey"),
    "multiple-case-study": DesignNote(
        "Multiple-case study", Concern.NONE, "", "a multiple-case study"
    ),
    "mixed-methods": DesignNote("Mixed methods", Concern.NONE, "", ""),
    "repository-mining": DesignNote("Repository mining", Concern.NONE, "", ""),
    "systematic-review": DesignNote("Systematic review", Concern.NONE, "", ""),
    "case-study": DesignNote(
        "Case study",
        Concern.MINOR,
        "a single case shows one setting through one team's eyes",
        "",
    ),
    "multivocal-review": DesignNote(
        "Multivocal review",
        Concern.MINOR,
        "it includes grey literature that was not peer reviewed",
        "",
    ),
    "literature-review": DesignNote(
        "Literature review",
        Concern.MODERATE,
        "without a systematic search it may miss or select studies",
        "",
    ),
}

SUGGESTED_DESIGNS = ("interviews", "focus-groups", "survey", "multiple-case-study")
"""Designs named, in this order, when a sentence proposes a further study."""

CONTEXT_FACETS = ("project_stages", "deployment", "learning", "sectors")
UNRESTRICTED_VALUES = frozenset({"any"})
"""Facet values that mean "no restriction" (the learning facet's `any`)."""

_SETTING_PHRASES: dict[tuple[str, str], str] = {
    ("project_stages", "first-version"): "building a first version of an ML application",
    ("project_stages", "larger-application"): "running a larger ML application in production",
    ("deployment", "continuous"): "deploying models continuously",
    ("deployment", "not-deployed"): "whose models are not yet in production",
    ("learning", "online-supervised"): "using online supervised learning",
}
_FACET_NAMES = {
    "project_stages": "project stage",
    "deployment": "deployment",
    "learning": "kind of ML",
    "sectors": "sector",
}

_ABSTRACT_LOCATOR = re.compile(r"^\s*abstract\s*(\([^()]*\))?\s*$", re.IGNORECASE)


def is_abstract_locator(locator: str) -> bool:
    """Whether a locator says only the abstract was read, e.g. `abstract (defence notice)`.

    A locator that names anything beyond the abstract (`abstract and section 4`) is not
    abstract-only: the editors read more than the summary.
    """
    return bool(_ABSTRACT_LOCATOR.match(locator))


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class ContextFacts:
    """Settings in the knowledge base's context facets.

    An empty facet means "not restricted" for a finding and "not recorded" for a study.
    """

    project_stages: tuple[str, ...] = ()
    deployment: tuple[str, ...] = ()
    learning: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def values(self, facet: str) -> frozenset[str]:
        """The restricting values of one facet (`any` means no restriction)."""
        values: tuple[str, ...] = getattr(self, facet)
        return frozenset(values) - UNRESTRICTED_VALUES


@dataclass(frozen=True)
class StudyFacts:
    """What the rules need to know about one study.

    A study, not a paper: a study may have several reports, and it counts once.
    """

    id: str
    design: str
    kind: str
    peer_reviewed: bool
    sample_size: int | None = None
    sample_unit: str = ""
    setting: ContextFacts = ContextFacts()
    """The study's setting in the finding facets, where the knowledge base records it."""
    label: str = ""
    """How reasons name the study, e.g. "Araujo et al. (2024)"; the id when empty."""

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ValueError(
                f"study {self.id}: design {self.design!r} has no confidence rule; expected one "
                f"of {', '.join(sorted(DESIGNS))}"
            )
        if self.kind not in KINDS:
            raise ValueError(
                f"study {self.id}: kind {self.kind!r} is unknown; expected one of "
                f"{', '.join(KINDS)}"
            )
        if self.sample_size is not None and self.sample_size < 0:
            raise ValueError(f"study {self.id}: sample size {self.sample_size} is negative")

    @property
    def name(self) -> str:
        """The study as reasons name it."""
        return self.label or self.id

    @property
    def is_primary(self) -> bool:
        """Whether the study brings data of its own (primary or mixed)."""
        return self.kind in PRIMARY_KINDS


@dataclass(frozen=True)
class EvidenceFacts:
    """One evidence item, reduced to what the rules use."""

    study: str
    """The id of the study the cited report belongs to: all counting is by this id."""
    citation: str
    """The id of the cited report."""
    link: str
    abstract_only: bool
    background: bool = False
    """True when the source states it as background (motivation, context, a closing remark)
    rather than as a result of its own method."""
    supports: bool = True
    """False when the item contradicts the finding (coherence)."""
    citation_label: str = ""
    """How sentences name the report, e.g. "Araujo et al. (2024)"; the id when empty."""

    def __post_init__(self) -> None:
        if self.link not in LINKS:
            raise ValueError(
                f"evidence from {self.citation}: link {self.link!r} is unknown; expected one of "
                f"{', '.join(LINKS)}"
            )


@dataclass(frozen=True)
class TensionFacts:
    """A recorded tension between this finding and another.

    The note is the editors' account of how the two differ (setting, design, population).
    """

    other: str
    """The id of the other finding."""
    note: str = ""
    label: str = ""
    """How sentences name the other finding (its title); the id when empty."""


class OverrideError(ValueError):
    """An editors' override the rules cannot accept (e.g. without a reason)."""


@dataclass(frozen=True)
class Override:
    """The editors' judgement replacing one computed component; it must say why."""

    component: Component
    concern: Concern
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise OverrideError(
                f"override of {COMPONENT_NAMES[self.component]}: a written reason is required, "
                "found none; say in one sentence why the computed concern is wrong"
            )


@dataclass(frozen=True)
class FindingFacts:
    """One finding, reduced to what the rules use."""

    id: str
    evidence: tuple[EvidenceFacts, ...]
    context: ContextFacts = ContextFacts()
    principles: tuple[str, ...] = ()
    """Names of the principles the finding is linked to, as sentences should name them."""
    tensions: tuple[TensionFacts, ...] = ()
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        seen: set[Component] = set()
        for override in self.overrides:
            if override.component in seen:
                raise OverrideError(
                    f"finding {self.id}: {COMPONENT_NAMES[override.component]} is overridden "
                    "twice; keep one override per component"
                )
            seen.add(override.component)


# ---------------------------------------------------------------------------------------------
# Rule set: thresholds and scoring, declared once for the computation and the page


@dataclass(frozen=True)
class RuleSet:
    """The numbers the rules use. The page prints them from here, so they cannot drift."""

    small_sample: int = 10
    """Fewer participants (or other sampled units) than this is a small sample."""
    modest_sample: int = 30
    """Fewer than this across several studies is a modest sample."""
    points: tuple[tuple[Concern, int], ...] = (
        (Concern.NONE, 0),
        (Concern.MINOR, 1),
        (Concern.MODERATE, 2),
        (Concern.SERIOUS, 3),
    )
    """Points each component's concern adds."""
    level_ceilings: tuple[tuple[Level, int], ...] = (
        (Level.HIGH, 1),
        (Level.MODERATE, 3),
        (Level.LOW, 6),
    )
    """The most points each level allows; more than the last gives very low."""

    def __post_init__(self) -> None:
        if not 0 < self.small_sample <= self.modest_sample:
            raise ValueError("rule set: expected 0 < small_sample <= modest_sample")
        if [concern for concern, _ in self.points] != list(CONCERNS):
            raise ValueError("rule set: points must list none, minor, moderate, serious in order")
        values = [points for _, points in self.points]
        if values[0] != 0 or values != sorted(values):
            raise ValueError("rule set: points must start at 0 for none and never decrease")
        if [level for level, _ in self.level_ceilings] != list(LEVELS[:-1]):
            raise ValueError("rule set: ceilings must list high, moderate, low in order")
        ceilings = [ceiling for _, ceiling in self.level_ceilings]
        if ceilings != sorted(set(ceilings)) or ceilings[0] < 0:
            raise ValueError("rule set: ceilings must rise strictly from 0 or more")

    def points_for(self, concern: Concern) -> int:
        """Points a concern adds to the total."""
        return dict(self.points)[concern]

    def level_for(self, total: int) -> Level:
        """The level a total of points gives."""
        for level, ceiling in self.level_ceilings:
            if total <= ceiling:
                return level
        return Level.VERY_LOW


DEFAULT_RULES = RuleSet()


# ---------------------------------------------------------------------------------------------
# Facts derived once per finding, which the rule predicates read


@dataclass(frozen=True)
class Basis:
    """What a finding's evidence amounts to once counted by study."""

    finding: FindingFacts
    supporting: tuple[StudyFacts, ...]
    contradicting: tuple[StudyFacts, ...]
    rules: RuleSet

    @functools.cached_property
    def supporting_items(self) -> tuple[EvidenceFacts, ...]:
        """The evidence items that support the finding."""
        return tuple(e for e in self.finding.evidence if e.supports)

    @functools.cached_property
    def primary(self) -> tuple[StudyFacts, ...]:
        """Supporting studies that bring data of their own."""
        return tuple(s for s in self.supporting if s.is_primary)

    @functools.cached_property
    def participants(self) -> int | None:
        """Participants of the primary studies that record a sample, or None if none does."""
        sizes = [s.sample_size for s in self.primary if s.sample_size is not None]
        return sum(sizes) if sizes else None

    def _studies_whose_items_all(
        self, test: Callable[[EvidenceFacts], bool]
    ) -> tuple[StudyFacts, ...]:
        """Supporting studies every supporting item of which passes `test`."""
        failing = {e.study for e in self.supporting_items if not test(e)}
        return tuple(s for s in self.supporting if s.id not in failing)

    @functools.cached_property
    def abstract_only_studies(self) -> tuple[StudyFacts, ...]:
        """Supporting studies of which every item here was read from an abstract only."""
        return self._studies_whose_items_all(lambda e: e.abstract_only)

    @functools.cached_property
    def all_abstract(self) -> bool:
        """Whether every supporting item was read from an abstract only."""
        return len(self.abstract_only_studies) == len(self.supporting)

    @functools.cached_property
    def mostly_abstract(self) -> bool:
        """Whether most supporting studies (more than half) were read from abstracts only.

        Counted by study: one study read in full among several read from their abstracts
        leaves most of the evidence unappraised, so the concern stays.
        """
        return 2 * len(self.abstract_only_studies) > len(self.supporting)

    @functools.cached_property
    def background_studies(self) -> tuple[StudyFacts, ...]:
        """Supporting studies that state the finding only as background, never as a result."""
        return self._studies_whose_items_all(lambda e: e.background)

    @functools.cached_property
    def mostly_background(self) -> bool:
        """Whether most supporting studies (more than half) give it only as background."""
        return 2 * len(self.background_studies) > len(self.supporting)

    @functools.cached_property
    def linked(self) -> tuple[EvidenceFacts, ...]:
        """Supporting items whose link to a principle is either stated or inferred."""
        return tuple(e for e in self.supporting_items if e.link != "cross-cutting")

    @functools.cached_property
    def design_concern(self) -> Concern:
        """The smallest design concern among supporting studies: the best design sets it."""
        return min((DESIGNS[s.design].concern for s in self.supporting), key=_rank)

    def unmatched_settings(self) -> tuple[tuple[str, str], ...]:
        """Settings the finding claims that no supporting study covers.

        Only facets that at least one supporting study records count: unrecorded is unknown.
        """
        unmatched = []
        for facet in CONTEXT_FACETS:
            claimed = self.finding.context.values(facet)
            recorded = [s.setting.values(facet) for s in self.supporting if s.setting.values(facet)]
            if not claimed or not recorded:
                continue
            covered = frozenset[str]().union(*recorded)
            unmatched += [(facet, value) for value in sorted(claimed - covered)]
        return tuple(unmatched)

    def narrow_settings(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Facets the finding leaves open but every supporting study restricts, with values."""
        narrow = []
        for facet in CONTEXT_FACETS:
            if self.finding.context.values(facet):
                continue
            studied = [s.setting.values(facet) for s in self.supporting]
            if all(studied):
                narrow.append((facet, tuple(sorted(frozenset[str]().union(*studied)))))
        return tuple(narrow)


def _rank(concern: Concern) -> int:
    return concern.rank


# ---------------------------------------------------------------------------------------------
# The rules


@dataclass(frozen=True)
class Rule:
    """One published rule: when its condition holds, its component has at least its concern.

    `condition` and `raise_hint` are templates: the page fills in the rule set's thresholds,
    and a finding's explanation also fills in its studies, settings and principles.
    """

    id: str
    component: Component
    concern: Concern
    condition: str
    reason: str
    raise_hint: str
    applies: Callable[[Basis], bool] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Cap:
    """A hard ceiling on the overall level, whatever the components and overrides say."""

    id: str
    ceiling: Level
    condition: str
    raise_hint: str
    applies: Callable[[Basis], bool] = field(repr=False, compare=False)


_READ_FULL_TEXT = (
    "Reading the full text of {abstract_reports}, and citing sections rather than abstracts, "
    "would let the methods be appraised and raise adequacy."
)
"""Shared by the two abstract-only rules, so a finding page says it once."""

_BACKGROUND_ONLY = "{background} {background_verb} it only as background, not as a result"
_REPORT_AS_RESULT = (
    "A study that reports this as a result of its own data would ease methodological limitations."
)
"""Shared by the two background rules, which differ only in how many studies they need."""

ML = Component.METHODOLOGICAL_LIMITATIONS
CO = Component.COHERENCE
AD = Component.ADEQUACY
RE = Component.RELEVANCE

RULES: tuple[Rule, ...] = (
    Rule(
        id="no-peer-review",
        component=ML,
        concern=Concern.MODERATE,
        condition="No contributing study has been peer reviewed (preprints, theses, reports).",
        reason="no contributing study has been peer reviewed",
        raise_hint="A peer-reviewed report of {unreviewed} would ease methodological limitations.",
        applies=lambda b: not any(s.peer_reviewed for s in b.supporting),
    ),
    Rule(
        id="some-not-peer-reviewed",
        component=ML,
        concern=Concern.MINOR,
        condition="Some, but not all, contributing studies have not been peer reviewed.",
        reason="{unreviewed} {unreviewed_verb} not been peer reviewed",
        raise_hint="A peer-reviewed report of {unreviewed} would ease methodological limitations.",
        applies=lambda b: (
            any(s.peer_reviewed for s in b.supporting)
            and not all(s.peer_reviewed for s in b.supporting)
        ),
    ),
    Rule(
        id="weak-design",
        component=ML,
        concern=Concern.MODERATE,
        condition="Every contributing study has a design with moderate concerns in the "
        "table of designs below.",
        reason="every contributing study is a {designs}: {design_why}",
        raise_hint="{another_study} would ease methodological limitations.",
        applies=lambda b: b.design_concern is Concern.MODERATE,
    ),
    Rule(
        id="limited-design",
        component=ML,
        concern=Concern.MINOR,
        condition="Every contributing study has a design with at least minor concerns in "
        "the table of designs below, and not all have moderate ones.",
        reason="every contributing study is a {designs}: {design_why}",
        raise_hint="{another_study} would ease methodological limitations.",
        applies=lambda b: b.design_concern is Concern.MINOR,
    ),
    Rule(
        id="methods-not-appraised",
        component=ML,
        concern=Concern.MINOR,
        condition="Most contributing studies (more than half) were read from an abstract only, "
        "so the editors could not appraise how they were done.",
        reason="for {abstract_studies}, the editors read only {abstract_source}, so the methods "
        "could not be appraised",
        raise_hint=_READ_FULL_TEXT,
        applies=lambda b: b.mostly_abstract,
    ),
    Rule(
        id="mostly-background",
        component=ML,
        concern=Concern.MODERATE,
        condition="Most contributing studies (more than half) state the finding only as "
        "background (their motivation, the context of the study or a closing remark), not as "
        "a result of their own method.",
        reason=_BACKGROUND_ONLY,
        raise_hint=_REPORT_AS_RESULT,
        applies=lambda b: b.mostly_background,
    ),
    Rule(
        id="partly-background",
        component=ML,
        concern=Concern.MINOR,
        condition="Some contributing studies, but not most, state the finding only as "
        "background rather than as a result of their own method.",
        reason=_BACKGROUND_ONLY,
        raise_hint=_REPORT_AS_RESULT,
        applies=lambda b: bool(b.background_studies) and not b.mostly_background,
    ),
    Rule(
        id="contradicted-as-often",
        component=CO,
        concern=Concern.SERIOUS,
        condition="At least as many independent studies contradict the finding as support it.",
        reason="{contradicting_count} contradicting against {supporting_count} supporting "
        "{supporting_noun}",
        raise_hint="A study that explains why {contradicting} found otherwise would raise "
        "coherence.",
        applies=lambda b: bool(b.contradicting) and len(b.contradicting) >= len(b.supporting),
    ),
    Rule(
        id="contradicted",
        component=CO,
        concern=Concern.MODERATE,
        condition="At least one independent study contradicts the finding, but fewer "
        "contradict it than support it.",
        reason="{contradicting} {contradicting_verb} the finding",
        raise_hint="A study that explains why {contradicting} found otherwise would raise "
        "coherence.",
        applies=lambda b: bool(b.contradicting) and len(b.contradicting) < len(b.supporting),
    ),
    Rule(
        id="in-tension",
        component=CO,
        concern=Concern.MINOR,
        condition="The finding is in a recorded tension with another finding; the editors' "
        "note says how the two differ.",
        reason="in tension with {tensions}",
        raise_hint="A study that covers the settings of both {tensions} and this finding would "
        "raise coherence.",
        applies=lambda b: bool(b.finding.tensions),
    ),
    Rule(
        id="single-study-coherence",
        component=CO,
        concern=Concern.NONE,
        condition="Only one independent study contributes and nothing contradicts it: "
        "agreement across studies cannot be tested (noted, not rated down; adequacy "
        "accounts for the single study).",
        reason="one study, so agreement across studies could not be tested",
        raise_hint="",
        applies=lambda b: len(b.supporting) == 1 and not b.contradicting and not b.finding.tensions,
    ),
    Rule(
        id="no-primary-study",
        component=AD,
        concern=Concern.MODERATE,
        condition="Only secondary studies (reviews) contribute: they re-report other studies' "
        "data and are not new primary evidence.",
        reason="only secondary studies contribute, no primary study",
        raise_hint="{another_study} would raise adequacy.",
        applies=lambda b: not b.primary,
    ),
    Rule(
        id="single-small-study",
        component=AD,
        concern=Concern.SERIOUS,
        condition="One independent primary study contributes, and its sample is smaller than "
        "{small_sample} or not recorded.",
        reason="one study, {sample_phrase}",
        raise_hint="{another_study} would raise adequacy.",
        applies=lambda b: (
            len(b.primary) == 1
            and (b.participants is None or b.participants < b.rules.small_sample)
        ),
    ),
    Rule(
        id="single-study",
        component=AD,
        concern=Concern.MODERATE,
        condition="One independent primary study contributes, with a sample of "
        "{small_sample} or more.",
        reason="one study, {sample_phrase}",
        raise_hint="{another_study} would raise adequacy.",
        applies=lambda b: (
            len(b.primary) == 1
            and b.participants is not None
            and b.participants >= b.rules.small_sample
        ),
    ),
    Rule(
        id="two-studies",
        component=AD,
        concern=Concern.MINOR,
        condition="Two independent primary studies contribute.",
        reason="two independent studies",
        raise_hint="{another_study} would raise adequacy.",
        applies=lambda b: len(b.primary) == 2,
    ),
    Rule(
        id="small-total-sample",
        component=AD,
        concern=Concern.MODERATE,
        condition="Two or more independent primary studies contribute, but together they "
        "sampled fewer than {small_sample}, or none records its sample.",
        reason="{sample_phrase} across {primary_count} studies",
        raise_hint="A study with a larger sample would raise adequacy.",
        applies=lambda b: (
            len(b.primary) >= 2
            and (b.participants is None or b.participants < b.rules.small_sample)
        ),
    ),
    Rule(
        id="modest-total-sample",
        component=AD,
        concern=Concern.MINOR,
        condition="Two or more independent primary studies contribute and together sampled "
        "at least {small_sample} but fewer than {modest_sample}.",
        reason="{sample_phrase} across {primary_count} studies",
        raise_hint="A study with a larger sample would raise adequacy.",
        applies=lambda b: (
            len(b.primary) >= 2
            and b.participants is not None
            and b.rules.small_sample <= b.participants < b.rules.modest_sample
        ),
    ),
    Rule(
        id="abstract-only",
        component=AD,
        concern=Concern.MODERATE,
        condition="Most contributing studies (more than half) were read from an abstract only: "
        "what they give the finding is a sentence or two each.",
        reason="the evidence from {abstract_studies} is a sentence or two from {abstract_source}",
        raise_hint=_READ_FULL_TEXT,
        applies=lambda b: b.mostly_abstract,
    ),
    Rule(
        id="link-inferred",
        component=RE,
        concern=Concern.MODERATE,
        condition="The finding is linked to principles, and no contributing source names "
        "them: the link is the editors' inference.",
        reason="no source names {principles}; the link is the editors' inference",
        raise_hint="A study that reports this for {principles} by name would raise relevance.",
        applies=lambda b: bool(b.linked) and all(e.link == "inferred" for e in b.linked),
    ),
    Rule(
        id="link-partly-inferred",
        component=RE,
        concern=Concern.MINOR,
        condition="Some contributing sources name the finding's principles and others do not.",
        reason="only some sources name {principles}",
        raise_hint="A further study that reports this for {principles} by name would raise "
        "relevance.",
        applies=lambda b: (
            any(e.link == "inferred" for e in b.linked)
            and any(e.link == "stated" for e in b.linked)
        ),
    ),
    Rule(
        id="setting-not-studied",
        component=RE,
        concern=Concern.MODERATE,
        condition="The finding claims a setting (a project stage, deployment mode, kind of ML "
        "or sector) that no contributing study covers, where the studies record that facet.",
        reason="no contributing study concerns {unmatched}",
        raise_hint="A study of {unmatched} would raise relevance.",
        applies=lambda b: bool(b.unmatched_settings()),
    ),
    Rule(
        id="setting-narrower",
        component=RE,
        concern=Concern.MINOR,
        condition="The finding claims no restriction on a facet, but every contributing study "
        "was done in a restricted setting on it.",
        reason="stated generally, but every study concerns {narrow}",
        raise_hint="A study beyond {narrow} would raise relevance.",
        applies=lambda b: bool(b.narrow_settings()),
    ),
)

CAPS: tuple[Cap, ...] = (
    Cap(
        id="inferred-from-one-abstract",
        ceiling=Level.LOW,
        condition="Every supporting evidence item is the editors' inference, read from an "
        "abstract, and all of it comes from one study (however many times that study was "
        "published).",
        raise_hint="A source that names {principles} itself, a second independent study, or "
        "the full text of {reports} would lift the ceiling of low.",
        applies=lambda b: (
            len(b.supporting) == 1
            and b.all_abstract
            and all(e.link == "inferred" for e in b.supporting_items)
        ),
    ),
)

COMPONENT_DEFAULT_REASONS: dict[Component, str] = {
    ML: "no concern found in the contributing studies' review status, design or reading",
    CO: "the contributing studies agree and no tension is recorded",
    AD: "several independent studies with an adequate sample, read beyond the abstract",
    RE: "no link is the editors' inference, and no recorded setting of the studies differs "
    "from the finding's",
}


# ---------------------------------------------------------------------------------------------
# Outputs


@dataclass(frozen=True)
class ComponentRating:
    """One component's concern for one finding, with its reason and the rules behind it."""

    component: Component
    concern: Concern
    reason: str
    rules: tuple[str, ...]
    """Ids of the rules that fired (those with a concern, and notes)."""
    computed_concern: Concern
    computed_reason: str
    override: Override | None = None

    @property
    def name(self) -> str:
        """The component in words."""
        return COMPONENT_NAMES[self.component]

    @property
    def overridden(self) -> bool:
        """Whether the editors replaced the computed concern."""
        return self.override is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the exports."""
        return {
            "component": self.component.value,
            "concern": self.concern.value,
            "reason": self.reason,
            "rules": list(self.rules),
            "computed_concern": self.computed_concern.value,
            "computed_reason": self.computed_reason,
            "overridden": self.overridden,
        }


@dataclass(frozen=True)
class Rating:
    """A finding's confidence, and everything a reader needs to check it."""

    finding: str
    level: Level
    components: tuple[ComponentRating, ...]
    points: int
    uncapped_level: Level
    cap: str | None
    """The id of the ceiling that lowered the level, if any."""
    ceilings: tuple[str, ...]
    """Ids of every ceiling whose condition holds, binding or not."""
    studies: tuple[str, ...]
    """Independent studies supporting the finding, by id, sorted."""
    primary_studies: tuple[str, ...]
    contradicting_studies: tuple[str, ...]
    participants: int | None
    raise_by: tuple[str, ...]
    """Concrete sentences: what new evidence would raise the rating."""

    @property
    def symbol(self) -> str:
        """The level's shape, to show beside the level in words."""
        return LEVEL_SYMBOLS[self.level]

    def component(self, component: Component) -> ComponentRating:
        """The rating of one component."""
        return next(c for c in self.components if c.component is component)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for `api/kb.json` and the CSV export."""
        return {
            "finding": self.finding,
            "level": self.level.value,
            "points": self.points,
            "uncapped_level": self.uncapped_level.value,
            "cap": self.cap,
            "ceilings": list(self.ceilings),
            "components": [c.to_dict() for c in self.components],
            "studies": list(self.studies),
            "primary_studies": list(self.primary_studies),
            "contradicting_studies": list(self.contradicting_studies),
            "participants": self.participants,
            "raise_by": list(self.raise_by),
        }


class RatingError(ValueError):
    """The facts handed to the rating are inconsistent (an unknown study, no support)."""


# ---------------------------------------------------------------------------------------------
# Computation


def rate(
    finding: FindingFacts,
    studies: Mapping[str, StudyFacts],
    rules: RuleSet = DEFAULT_RULES,
) -> Rating:
    """Rate one finding: count its evidence by study, apply every rule, score, cap."""
    basis = _basis(finding, studies, rules)
    words = _words(basis)
    overrides = {o.component: o for o in finding.overrides}
    components = []
    raise_by: list[str] = []
    for component in COMPONENTS:
        fired = [r for r in RULES if r.component is component and r.applies(basis)]
        concern = max((r.concern for r in fired), key=_rank, default=Concern.NONE)
        reasons = [
            r.reason.format(**words)
            for r in sorted(fired, key=lambda r: -r.concern.rank)
            if r.concern is not Concern.NONE or concern is Concern.NONE
        ]
        computed_reason = _capitalise("; ".join(reasons) or COMPONENT_DEFAULT_REASONS[component])
        override = overrides.get(component)
        rating = ComponentRating(
            component=component,
            concern=override.concern if override else concern,
            reason=override.reason.strip() if override else computed_reason,
            rules=tuple(r.id for r in fired),
            computed_concern=concern,
            computed_reason=computed_reason,
            override=override,
        )
        components.append(rating)
        if rating.concern is not Concern.NONE:
            raise_by += [
                r.raise_hint.format(**words) for r in fired if r.raise_hint and r.concern.rank
            ]
    points = sum(rules.points_for(c.concern) for c in components)
    uncapped = rules.level_for(points)
    level, cap_id = uncapped, None
    ceilings = tuple(cap for cap in CAPS if cap.applies(basis))
    for cap in ceilings:
        # Named in "what would raise it" even when not binding today: fixing the components
        # alone would not lift the finding past it.
        raise_by.append(cap.raise_hint.format(**words))
        if level.rank > cap.ceiling.rank:
            level, cap_id = cap.ceiling, cap.id
    return Rating(
        finding=finding.id,
        level=level,
        components=tuple(components),
        points=points,
        uncapped_level=uncapped,
        cap=cap_id,
        ceilings=tuple(cap.id for cap in ceilings),
        studies=tuple(s.id for s in basis.supporting),
        primary_studies=tuple(s.id for s in basis.primary),
        contradicting_studies=tuple(s.id for s in basis.contradicting),
        participants=basis.participants,
        raise_by=tuple(dict.fromkeys(_capitalise(s) for s in raise_by)),
    )


def rate_all(
    findings: Iterable[FindingFacts],
    studies: Mapping[str, StudyFacts],
    rules: RuleSet = DEFAULT_RULES,
) -> dict[str, Rating]:
    """Rate every finding, keyed by finding id, in id order (deterministic output)."""
    ratings = {f.id: rate(f, studies, rules) for f in findings}
    return dict(sorted(ratings.items()))


def _basis(finding: FindingFacts, studies: Mapping[str, StudyFacts], rules: RuleSet) -> Basis:
    unknown = sorted({e.study for e in finding.evidence} - set(studies))
    if unknown:
        raise RatingError(f"finding {finding.id}: unknown study {', '.join(unknown)}")
    supporting = sorted({e.study for e in finding.evidence if e.supports})
    if not supporting:
        raise RatingError(f"finding {finding.id}: no evidence item supports the finding")
    contradicting = sorted({e.study for e in finding.evidence if not e.supports})
    return Basis(
        finding=finding,
        supporting=tuple(studies[s] for s in supporting),
        contradicting=tuple(studies[s] for s in contradicting),
        rules=rules,
    )


def _words(basis: Basis) -> dict[str, str]:
    """The phrases rule templates fill in, from the finding's facts."""
    unreviewed = [s.name for s in basis.supporting if not s.peer_reviewed]
    designs = sorted({DESIGNS[s.design].label.lower() for s in basis.supporting})
    whys = sorted({DESIGNS[s.design].why for s in basis.supporting if DESIGNS[s.design].why})
    reports = sorted({e.citation_label or e.citation for e in basis.supporting_items})
    abstract_only = {s.id for s in basis.abstract_only_studies}
    abstract_reports = sorted(
        {e.citation_label or e.citation for e in basis.supporting_items if e.study in abstract_only}
    )
    studies = len(basis.supporting)
    if len(abstract_only) < studies:
        abstract_studies = f"{len(abstract_only)} of the {studies} contributing studies"
    elif studies == 1:
        abstract_studies = "the one contributing study"
    elif studies == 2:
        abstract_studies = "both contributing studies"
    else:
        abstract_studies = f"all {studies} contributing studies"
    units = {s.sample_unit or "participants" for s in basis.primary if s.sample_size is not None}
    unit = units.pop() if len(units) == 1 else "participants or other sampled units"
    unmatched = _join([_teams(facet, (value,)) for facet, value in basis.unmatched_settings()])
    narrow = _join([_teams(facet, values) for facet, values in basis.narrow_settings()])
    return {
        "unreviewed": _join(unreviewed),
        "unreviewed_verb": "has" if len(unreviewed) == 1 else "have",
        "designs": " or ".join(designs),
        "design_why": "; ".join(whys),
        "reports": _join(reports),
        "abstract_reports": _join(abstract_reports),
        "background": _join([s.name for s in basis.background_studies]),
        "background_verb": "states" if len(basis.background_studies) == 1 else "state",
        "abstract_studies": abstract_studies,
        "abstract_source": "its abstract" if len(abstract_only) == 1 else "their abstracts",
        "supporting_count": str(len(basis.supporting)),
        "supporting_noun": "study" if len(basis.supporting) == 1 else "studies",
        "contradicting": _join([s.name for s in basis.contradicting]),
        "contradicting_count": str(len(basis.contradicting)),
        "contradicting_verb": "contradicts" if len(basis.contradicting) == 1 else "contradict",
        "tensions": _join([t.label or t.other for t in basis.finding.tensions]),
        "primary_count": str(len(basis.primary)),
        "sample_phrase": _sample_phrase(basis, unit),
        "principles": _join(list(basis.finding.principles)) or "its principles",
        "another_study": _another_study(basis),
        "unmatched": unmatched,
        "narrow": narrow,
    }


def _another_study(basis: Basis) -> str:
    """A design the finding lacks, in the setting it claims.

    For example 'an interview study of teams deploying models continuously'.
    """
    present = {s.design for s in basis.supporting}
    design = next((d for d in SUGGESTED_DESIGNS if d not in present), None)
    suggestion = DESIGNS[design or SUGGESTED_DESIGNS[0]].suggestion.split(" ", 1)[1]
    return f"an independent {suggestion} of {_population(basis.finding.context)}"


def _sample_phrase(basis: Basis, unit: str) -> str:
    """E.g. '6 ML developers in all (no sample recorded for X)'."""
    if basis.participants is None:
        return "sample not recorded"
    unrecorded = [s.name for s in basis.primary if s.sample_size is None]
    missing = f" (no sample recorded for {_join(unrecorded)})" if unrecorded else ""
    return f"{basis.participants} {unit} in all{missing}"


def _population(context: ContextFacts) -> str:
    """The teams a finding's context describes, e.g. 'teams deploying models continuously'."""
    phrases = [
        " or ".join(_setting_phrase(facet, value) for value in sorted(context.values(facet)))
        for facet in CONTEXT_FACETS
        if context.values(facet)
    ]
    return "teams " + ", ".join(phrases) if phrases else "ML practitioners"


def _teams(facet: str, values: tuple[str, ...]) -> str:
    return "teams " + " or ".join(_setting_phrase(facet, value) for value in values)


def _setting_phrase(facet: str, value: str) -> str:
    if facet == "sectors":
        return f"in {value}"
    return _SETTING_PHRASES.get((facet, value), f"where the {_FACET_NAMES[facet]} is {value}")


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# The page "How confidence is rated"


GENERIC_WORDS: dict[str, str] = {
    "unreviewed": "the unreviewed studies",
    "unreviewed_verb": "have",
    "designs": "design with concerns",
    "design_why": "see the table of designs",
    "reports": "the cited reports",
    "abstract_reports": "the reports so far read from their abstracts only",
    "background": "those studies",
    "background_verb": "state",
    "abstract_studies": "those studies",
    "abstract_source": "their abstracts",
    "supporting_count": "n",
    "supporting_noun": "studies",
    "contradicting": "the contradicting studies",
    "contradicting_count": "n",
    "contradicting_verb": "contradict",
    "tensions": "the other finding",
    "primary_count": "n",
    "sample_phrase": "the sample",
    "principles": "the finding's principles",
    "another_study": "an independent study of another design in the finding's setting",
    "unmatched": "teams in the setting the finding claims",
    "narrow": "the studies' setting",
}
"""Placeholder words for the rules page, where a rule is described without a finding."""

_EXAMPLE_COMBINATIONS: tuple[tuple[Concern, ...], ...] = (
    (Concern.MINOR,),
    (Concern.MINOR, Concern.MINOR),
    (Concern.MODERATE,),
    (Concern.SERIOUS,),
    (Concern.MODERATE, Concern.MODERATE),
    (Concern.SERIOUS, Concern.MODERATE),
    (Concern.SERIOUS, Concern.SERIOUS),
    (Concern.SERIOUS, Concern.MODERATE, Concern.MODERATE),
)
"""Combinations of concerns the page works through, so readers see what the points mean."""


def rules_page_context(rules: RuleSet = DEFAULT_RULES) -> dict[str, Any]:
    """Everything the page template prints, from the objects the computation uses.

    The template (`templates/confidence.md.j2`) holds only layout; every condition, threshold,
    point and meaning comes from here.
    """
    params = {"small_sample": rules.small_sample, "modest_sample": rules.modest_sample}
    ceilings = list(rules.level_ceilings)
    bands = []
    low = 0
    for level, ceiling in ceilings:
        bands.append(
            {
                "level": level.value,
                "symbol": LEVEL_SYMBOLS[level],
                "points": f"{low}–{ceiling}" if ceiling > low else str(low),
            }
        )
        low = ceiling + 1
    bands.append(
        {
            "level": Level.VERY_LOW.value,
            "symbol": LEVEL_SYMBOLS[Level.VERY_LOW],
            "points": f"{low} or more",
        }
    )
    return {
        "levels": [
            {"level": level.value, "symbol": LEVEL_SYMBOLS[level], "meaning": LEVEL_MEANINGS[level]}
            for level in LEVELS
        ],
        "components": [
            {
                "id": component.value,
                "name": COMPONENT_NAMES[component],
                "meaning": COMPONENT_MEANINGS[component],
                "default": _capitalise(COMPONENT_DEFAULT_REASONS[component]),
                "rules": [
                    {
                        "id": rule.id,
                        "condition": rule.condition.format(**params),
                        "concern": rule.concern.value,
                        "raise": _capitalise(rule.raise_hint.format(**GENERIC_WORDS)),
                    }
                    for rule in RULES
                    if rule.component is component
                ],
            }
            for component in COMPONENTS
        ],
        "points": [{"concern": c.value, "points": p} for c, p in rules.points],
        "bands": bands,
        "caps": [
            {"id": cap.id, "ceiling": cap.ceiling.value, "condition": cap.condition} for cap in CAPS
        ],
        "designs": [
            {"id": design, "label": note.label, "concern": note.concern.value, "why": note.why}
            for design, note in DESIGNS.items()
        ],
        "examples": [
            {
                "concerns": " and ".join(c.value for c in combo),
                "level": rules.level_for(sum(rules.points_for(c) for c in combo)).value,
            }
            for combo in _EXAMPLE_COMBINATIONS
        ],
        "thresholds": params,
        "citations": [{"text": text, "url": url} for text, url in CITATIONS],
    }


# ---------------------------------------------------------------------------------------------
# Changes over time, for the changelog


@dataclass(frozen=True)
class RatingChange:
    """A finding whose level changed between two versions of the knowledge base."""

    finding: str
    old: Level | None
    new: Level | None
    reasons: tuple[str, ...]
    """What moved: components (with their new reasons) and ceilings, in words."""
    studies_added: tuple[str, ...] = ()
    """Ids of the studies that now contribute and did not before."""
    studies_removed: tuple[str, ...] = ()


def diff_ratings(old: Mapping[str, Rating], new: Mapping[str, Rating]) -> tuple[RatingChange, ...]:
    """Level changes from one version to the next, by finding id, each with its reasons.

    A finding whose level is unchanged is left out even if a component moved: the changelog
    records changes of confidence. New and removed findings appear with `None` on one side.
    """
    changes = []
    for finding in sorted(set(old) | set(new)):
        before, after = old.get(finding), new.get(finding)
        if before is None and after is not None:
            changes.append(RatingChange(finding, None, after.level, ("first rated",)))
        elif after is None and before is not None:
            changes.append(
                RatingChange(finding, before.level, None, ("no longer in the knowledge base",))
            )
        elif before is not None and after is not None and before.level is not after.level:
            changes.append(
                RatingChange(
                    finding,
                    before.level,
                    after.level,
                    _change_reasons(before, after),
                    tuple(sorted(set(after.studies) - set(before.studies))),
                    tuple(sorted(set(before.studies) - set(after.studies))),
                )
            )
    return tuple(changes)


def _change_reasons(before: Rating, after: Rating) -> tuple[str, ...]:
    reasons = []
    for old_c, new_c in zip(before.components, after.components, strict=True):
        if old_c.concern is not new_c.concern:
            how = "editors' override: " if new_c.overridden else ""
            reasons.append(
                f"{new_c.name}: {old_c.concern.value} → {new_c.concern.value} concerns "
                f"({how}{new_c.reason})"
            )
    if before.cap != after.cap:
        reasons.append(
            f"ceiling {after.cap} applies"
            if after.cap
            else f"ceiling {before.cap} no longer applies"
        )
    return tuple(reasons) or ("the scoring rules changed",)
