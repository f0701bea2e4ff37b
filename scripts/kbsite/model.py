"""The data model, declared once: every entry type as a pydantic model.

Validation (`validation.py`), the published JSON Schema and the field reference in
CONTRIBUTING.md (`published.py`), the cross-file reference check (`integrity.py`), the link
graph (`graph.py`) and the JSON export (`export_json.py`) are all derived from these classes.
Field names are the ones contributors write in YAML.

To add a field: declare it on its model with a type from `fields.py` (or a model) and a
`Field(description=...)`, give it a default unless it is required, then run `make schema`.
To add an entry type: add a model here, a row in `registry.py` and a page template.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from kbsite import confidence
from kbsite import vocabulary as v
from kbsite.fields import FLAG, ID, UNIQUE, Markdown, Pattern, PlainText, Reference, Whole, fail
from kbsite.yamlio import Document, Path_, Position, parse_document

if TYPE_CHECKING:
    from kbsite import ratings
    from kbsite.refs import Ref

# ---------------------------------------------------------------------------------------------
# Field types shared by several models

EntryId = Annotated[str, ID]
Tag = Annotated[str, v.TAGS]
Sector = Annotated[str, ID]
CitationId = Annotated[str, Reference(("citation",))]
PrincipleId = Annotated[str, Reference(("principle",))]
FindingId = Annotated[str, Reference(("benefit", "limitation"))]
StudyId = Annotated[str, Reference(("study",))]
OutcomeId = Annotated[str, Reference(("outcome",), named="outcome group")]
SubjectId = Annotated[str, Reference(("principle", "benefit", "limitation"))]
StudyType = Annotated[str, v.STUDY_TYPES]

Title = Annotated[str, PlainText(120)]
Summary = Annotated[str, PlainText(400)]
Note = Annotated[str, PlainText(300)]
Locator = Annotated[str, PlainText(200)]
Description = Annotated[str, Markdown(10_000)]

MAX_TAGS = 30
MAX_REFERENCES = 50
MAX_EVIDENCE = 50
MAX_AUTHORS = 100

Aliases = Annotated[tuple[Annotated[str, PlainText(60)], ...], Field(max_length=MAX_TAGS), UNIQUE]
"""Search words for an entry: synonyms, abbreviations and common misspellings."""


@dataclass(frozen=True)
class SourceFile:
    """Where an entry came from, so later checks can point at a line."""

    path: str
    document: Document = field(compare=False, repr=False)

    def position(self, where: Path_, *, key: bool = False) -> Position:
        """Line and column of the value (or key) at `where`."""
        return self.document.position(where, key=key)


NO_SOURCE = SourceFile("", parse_document(""))
"""The source of an entry made in code rather than read from a file."""


@dataclass(frozen=True)
class Requirement:
    """Fields that become required when another field has a given value."""

    when_field: str
    when_value: str
    required: tuple[str, ...]


class Record(BaseModel):
    """A mapping with a closed set of fields (the docstring of each subclass is its meaning)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    record_name: ClassVar[str] = "record"
    """How messages name this kind of mapping."""
    exactly_one_of: ClassVar[tuple[str, ...]] = ()
    requirements: ClassVar[tuple[Requirement, ...]] = ()
    retired_fields: ClassVar[Mapping[str, str]] = {}
    """Fields this mapping once had, each with the hint that says where its content went: a
    file that still has one is refused with that hint, and earlier versions of the knowledge
    base read from git drop it (`validation.without_retired`)."""
    introduced_fields: ClassVar[Mapping[str, Any]] = {}
    """Required fields this mapping gained after entries were published, each with the value
    an earlier version read from git that lacks it is read with (`validation.as_today`), so
    the changelog can still rate it; such a value is never shown."""


class Entry(Record):
    """Base of the entry types: one file under kb/ each."""

    type_name: ClassVar[str] = ""
    id: EntryId = Field(description="The entry's id; must equal the file name.")
    if TYPE_CHECKING:
        title: str  # every entry type declares its own title field
    _source: SourceFile = PrivateAttr(default_factory=lambda: NO_SOURCE)

    def __init__(self, source: SourceFile | None = None, **data: Any) -> None:
        super().__init__(**data)
        if source is not None:
            self._source = source

    @property
    def source(self) -> SourceFile:
        """The file the entry was read from."""
        return self._source

    def with_source(self, source: SourceFile) -> Entry:
        """Attach the file the entry was read from (set once, by the loader)."""
        self._source = source
        return self

    @property
    def type(self) -> str:
        """The entry type's name, e.g. `benefit`."""
        return self.type_name


# ---------------------------------------------------------------------------------------------
# Principles


class DefinitionSource(Record):
    """Where the principle is defined."""

    record_name: ClassVar[str] = "definition source"
    citation: CitationId = Field(description="id of the citation")
    locator: Locator = Field(
        description="Where in the source: a section, a page, or "
        "`abstract`. Precise enough that a reader can find the passage."
    )
    note: Note = Field("", description="How the definition was checked.")


class Principle(Entry):
    """An MLOps principle."""

    record_name: ClassVar[str] = "principle"
    type_name: ClassVar[str] = "principle"
    number: Annotated[int, Whole(1, 99)] | None = Field(
        None, description="Number of the principle in its defining source (P1 to P9)."
    )
    title: Annotated[str, PlainText(90)] = Field(description="Name of the principle.")
    summary: Annotated[str, PlainText(300, longer_in="description")] = Field(
        description="One-sentence paraphrased definition."
    )
    description: Description = Field(description="Longer paraphrased description in Markdown.")
    aliases: Aliases = Field(
        (),
        description="Other names people search for (e.g. CI/CD, model registry), common "
        "misspellings included; shown on the page and found by the search.",
    )
    defined_in: DefinitionSource = Field(description="Where the principle is defined.")
    related: Annotated[tuple[PrincipleId, ...], Field(max_length=MAX_REFERENCES), UNIQUE] = Field(
        (), description="Closely related principles."
    )
    tags: Annotated[tuple[Tag, ...], Field(max_length=MAX_TAGS), UNIQUE] = Field(
        (), description="Topics that group entries on the tags page."
    )

    @property
    def label(self) -> str:
        """Title with its number, e.g. 'P4 Versioning'."""
        return f"P{self.number} {self.title}" if self.number else self.title


# ---------------------------------------------------------------------------------------------
# Benefits and limitations


class Facets(Record):
    """The facets a finding's context and a guide's answer share, so that one fits the other."""

    project_stages: Annotated[tuple[Annotated[str, v.PROJECT_STAGES], ...], UNIQUE] = Field(
        (), description=v.PROJECT_STAGES.description
    )
    deployment: Annotated[tuple[Annotated[str, v.DEPLOYMENT_MODES], ...], UNIQUE] = Field(
        (), description=v.DEPLOYMENT_MODES.description
    )
    learning: Annotated[tuple[Annotated[str, v.LEARNING_MODES], ...], UNIQUE] = Field(
        (), description=v.LEARNING_MODES.description
    )
    sectors: Annotated[tuple[Sector, ...], Field(max_length=MAX_TAGS), UNIQUE] = Field(
        (), description="Industry sectors (kebab-case, e.g. finance)."
    )


class Context(Facets):
    """Conditions under which the finding applies, as the sources give them."""

    record_name: ClassVar[str] = "context"
    note: Note = Field("", description="Any other condition, in one sentence.")

    @property
    def is_empty(self) -> bool:
        """True when the sources give no condition."""
        return not (
            self.project_stages or self.deployment or self.learning or self.sectors or self.note
        )


class Evidence(Record):
    """One source's support for the finding."""

    record_name: ClassVar[str] = "evidence item"
    retired_fields: ClassVar[Mapping[str, str]] = {
        "study": "the study's design now comes from kb/studies/<id>.yaml, the study whose "
        "`reports` list this citation; remove `study:`"
    }
    citation: CitationId = Field(description="id of the citation")
    locator: Locator = Field(
        description="Where in the source: a section, a page, or "
        "`abstract`. Precise enough that a reader can find the passage."
    )
    link: Annotated[str, v.LINK_KINDS] = Field(description=v.LINK_KINDS.description)
    stated_as: Annotated[str, v.EVIDENCE_BASES] = Field(
        "result", description=v.EVIDENCE_BASES.description
    )
    finding: Annotated[str, PlainText(600, multiline=True)] = Field(
        description="What the source reports, paraphrased (never copied)."
    )
    note: Note = Field("", description="A caveat about this evidence, in one sentence.")


class Tension(Record):
    """Another finding that pulls the other way, with the editors' note on how they differ."""

    record_name: ClassVar[str] = "tension"
    finding: FindingId = Field(description="Id of the other benefit or limitation.")
    note: Annotated[str, PlainText(400)] = Field(
        description="The editors' note on how the two differ (setting, design, population)."
    )


class ConfidenceOverride(Record):
    """The editors' judgement replacing one computed confidence component."""

    record_name: ClassVar[str] = "confidence override"
    component: Annotated[str, v.CONFIDENCE_COMPONENTS] = Field(
        description=v.CONFIDENCE_COMPONENTS.description
    )
    concern: Annotated[str, v.CONCERNS] = Field(description=v.CONCERNS.description)
    reason: Annotated[str, PlainText(300)] = Field(
        "", description="Why the computed concern is wrong, in one sentence (required)."
    )

    @model_validator(mode="after")
    def _has_reason(self) -> ConfidenceOverride:
        try:
            self.as_override()
        except confidence.OverrideError as error:
            fail(str(error), "add `reason:` with the editors' reasoning")
        return self

    def as_override(self) -> confidence.Override:
        """The rating engine's form (which refuses an override without a reason)."""
        return confidence.Override(
            confidence.Component(self.component), confidence.Concern(self.concern), self.reason
        )


class ConfidenceSettings(Record):
    """The editors' adjustments to the computed confidence rating."""

    record_name: ClassVar[str] = "confidence settings"
    overrides: Annotated[tuple[ConfidenceOverride, ...], Field(max_length=4)] = Field(
        (), description="Components the editors judge differently, each with its reason."
    )


class Finding(Entry):
    """A benefit or limitation that sources report."""

    introduced_fields: ClassVar[Mapping[str, Any]] = {"outcomes": ("not-yet-placed",)}

    title: Annotated[str, PlainText(90, longer_in="summary")] = Field(
        description="Short title, as a noun phrase."
    )
    summary: Annotated[str, PlainText(300, longer_in="description")] = Field(
        description="One sentence that states the finding."
    )
    description: Description = Field("", description="Longer explanation in Markdown (optional).")
    aliases: Aliases = Field(
        (),
        description="Other words readers search for, synonyms and common misspellings "
        "included (e.g. rollback, ROI); shown on the page and found by the search.",
    )
    principles: Annotated[tuple[PrincipleId, ...], Field(max_length=MAX_REFERENCES), UNIQUE] = (
        Field(
            description="Principles the finding concerns; an empty list marks a "
            "cross-cutting finding."
        )
    )
    outcomes: Annotated[
        tuple[OutcomeId, ...], Field(min_length=1, max_length=MAX_REFERENCES), UNIQUE
    ] = Field(
        description="Outcome groups the finding speaks of (ids of kb/outcomes/), chosen from "
        "what its own text says: the columns of the evidence and gap map it appears in."
    )
    context: Context = Field(
        default_factory=Context,
        description="Conditions under which the finding applies, as the sources give them.",
    )
    evidence: Annotated[tuple[Evidence, ...], Field(min_length=1, max_length=MAX_EVIDENCE)] = Field(
        description="Sources that report the finding."
    )
    tags: Annotated[tuple[Tag, ...], Field(max_length=MAX_TAGS), UNIQUE] = Field(
        (), description="Topics that group entries on the tags page."
    )
    tensions: Annotated[tuple[Tension, ...], Field(max_length=MAX_REFERENCES)] = Field(
        (), description="Findings that pull the other way; shown on both findings' pages."
    )
    confidence: ConfidenceSettings = Field(
        default_factory=ConfidenceSettings,
        description="Editors' overrides of the computed confidence rating.",
    )

    @property
    def citation_ids(self) -> tuple[str, ...]:
        """Ids of the cited sources, in order of first use, without repeats."""
        return tuple(dict.fromkeys(item.citation for item in self.evidence))

    @property
    def limitation_kind(self) -> str:
        """The kind of a limitation; empty for a benefit."""
        return ""


class Benefit(Finding):
    """A benefit practitioners report."""

    record_name: ClassVar[str] = "benefit"
    type_name: ClassVar[str] = "benefit"


class Limitation(Finding):
    """A limitation, adoption challenge or required effort practitioners report."""

    record_name: ClassVar[str] = "limitation"
    type_name: ClassVar[str] = "limitation"
    kind: Annotated[str, v.LIMITATION_KINDS] = Field(description=v.LIMITATION_KINDS.description)

    @property
    def limitation_kind(self) -> str:
        """The kind of the limitation (the YAML field `kind`)."""
        return self.kind


# ---------------------------------------------------------------------------------------------
# Outcome groups


class Outcome(Entry):
    """An outcome group: what readers want the principles' effect on, a column of the map."""

    record_name: ClassVar[str] = "outcome group"
    type_name: ClassVar[str] = "outcome"
    title: Annotated[str, PlainText(40)] = Field(
        description="The group's name as the map's column heading shows it, e.g. `Delivery speed`."
    )
    summary: Annotated[str, PlainText(300)] = Field(
        description="What the group covers, in one sentence (shown in the map's key)."
    )
    order: Annotated[int, Whole(1, 99)] = Field(
        description="Place of the group's column on the map, lowest first."
    )


# ---------------------------------------------------------------------------------------------
# Citations


class Author(Record):
    """A person or organisation; `literal` for a name that must not be split."""

    record_name: ClassVar[str] = "author"
    exactly_one_of: ClassVar[tuple[str, ...]] = ("family", "literal")
    family: Annotated[str, PlainText(100)] = Field("", description="Family name.")
    given: Annotated[str, PlainText(100)] = Field("", description="Given names.")
    literal: Annotated[str, PlainText(200)] = Field(
        "", description="Name exactly as published, not split."
    )

    @property
    def display_name(self) -> str:
        """Name in reading order."""
        return self.literal or " ".join(part for part in (self.given, self.family) if part)

    @property
    def sort_name(self) -> str:
        """Name as 'Family, Given', as reference lists print it."""
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family


class Sample(Record):
    """One group of participants or items a study drew on."""

    record_name: ClassVar[str] = "sample"
    method: StudyType = Field(description=v.STUDY_TYPES.description)
    size: Annotated[int, Whole(1, 10_000_000)] = Field(description="How many.")
    unit: Annotated[str, PlainText(100)] = Field(
        description="What was counted, e.g. `professionals`."
    )


class StudyDesign(Record):
    """How the study was done."""

    record_name: ClassVar[str] = "study design"
    methods: Annotated[tuple[StudyType, ...], Field(min_length=1, max_length=10), UNIQUE] = Field(
        description="Methods used."
    )
    participants: Note = Field("", description="Who took part, in words.")
    samples: Annotated[tuple[Sample, ...], Field(max_length=20)] = Field(
        (), description="Sample sizes per method."
    )
    setting: Note = Field("", description="Domain or setting studied.")
    sectors: Annotated[tuple[Sector, ...], Field(max_length=MAX_TAGS), UNIQUE] = Field(
        (), description="Industry sectors named by the source (kebab-case)."
    )


class Arxiv(Record):
    """The arXiv preprint of this work."""

    record_name: ClassVar[str] = "arXiv record"
    id: Annotated[str, Pattern(r"^[0-9]{4}\.[0-9]{4,5}$", "an arXiv id such as 2502.05634")] = (
        Field(description="arXiv identifier.")
    )
    primary_class: Annotated[
        str, Pattern(r"^[a-z-]+(\.[A-Za-z-]+)?$", "an arXiv category such as cs.SE")
    ] = Field("", description="Primary arXiv category, e.g. cs.SE.")


class RelatedSource(Record):
    """A related source."""

    record_name: ClassVar[str] = "related source"
    citation: CitationId = Field(description="id of the citation")
    relation: Annotated[str, v.RELATIONS] = Field(description=v.RELATIONS.description)


Related = RelatedSource


def _required_by_entry_type() -> tuple[Requirement, ...]:
    rows = {
        "article": ("journal", "year"),
        "inproceedings": ("booktitle", "year"),
        "incollection": ("booktitle", "publisher", "year"),
        "book": ("publisher", "year"),
        "mastersthesis": ("school",),
        "phdthesis": ("school",),
        "techreport": ("institution", "year"),
    }
    return tuple(Requirement("entry_type", kind, fields) for kind, fields in rows.items())


class Citation(Entry):
    """A source, with its bibliographic record and study design."""

    record_name: ClassVar[str] = "citation"
    type_name: ClassVar[str] = "citation"
    requirements: ClassVar[tuple[Requirement, ...]] = _required_by_entry_type()

    id: EntryId = Field(description="The citation key; must equal the file name.")
    role: Annotated[str, v.CITATION_ROLES] = Field(description=v.CITATION_ROLES.description)
    entry_type: Annotated[str, v.BIBTEX_TYPES] = Field(description=v.BIBTEX_TYPES.description)
    title: Annotated[str, PlainText(300)] = Field(
        description="Title as published, without BibTeX braces."
    )
    authors: Annotated[tuple[Author, ...], Field(min_length=1, max_length=MAX_AUTHORS)] = Field(
        description="Authors in published order."
    )
    year: Annotated[int, Whole(1000, 2100)] | None = Field(None, description="Year of publication.")
    kind: Annotated[str, v.WORK_KINDS] = Field("", description=v.WORK_KINDS.description)
    genre: Annotated[str, PlainText(80)] = Field(
        "",
        description="What the work calls itself, printed with it: e.g. Master's "
        "dissertation (BibTeX `type`, CSL `genre`).",
    )
    author_list: Annotated[str, v.AUTHOR_LISTS] = Field(
        "complete", description=v.AUTHOR_LISTS.description
    )
    journal: Annotated[str, PlainText(300)] = Field("", description="Journal name.")
    booktitle: Annotated[str, PlainText(300)] = Field("", description="Proceedings title.")
    volume: Annotated[str, PlainText(20)] = Field("", description="Volume.")
    number: Annotated[str, PlainText(20)] = Field("", description="Issue number.")
    pages: Annotated[
        str,
        Pattern(
            r"^[A-Za-z]{0,3}[0-9]+(:[0-9]+)?(-[A-Za-z]{0,3}[0-9]+(:[0-9]+)?)?$",
            "a page or page range such as 305-312, or an article number",
            40,
        ),
    ] = Field(
        "",
        description="Page range with a single hyphen, e.g. 305-312, one page, an article "
        "number such as e13477, or article:page as in 114:1-114:29.",
    )
    publisher: Annotated[str, PlainText(200)] = Field("", description="Publisher.")
    organization: Annotated[str, PlainText(200)] = Field("", description="Organising body.")
    school: Annotated[str, PlainText(300)] = Field("", description="University, for theses.")
    institution: Annotated[str, PlainText(300)] = Field("", description="Institution, for reports.")
    howpublished: Annotated[str, PlainText(200)] = Field(
        "", description="How it was published, for misc entries."
    )
    address: Annotated[str, PlainText(120)] = Field(
        "", description="Place of publication (city, country), as styles print it."
    )
    isbn: Annotated[
        str, Pattern(r"^[0-9][0-9-]{8,15}[0-9Xx]$", "an ISBN such as 978-989-758-692-7", 20)
    ] = Field("", description="ISBN with hyphens.")
    issn: Annotated[str, Pattern(r"^[0-9]{4}-[0-9]{3}[0-9Xx]$", "an ISSN such as 2169-3536", 9)] = (
        Field("", description="ISSN.")
    )
    doi: Annotated[
        str, Pattern(r"^10\.[0-9]{4,9}/[^\s]+$", "a DOI such as 10.1109/ACCESS.2023.3262138")
    ] = Field("", description="DOI without the https://doi.org/ prefix.")
    published_doi: Annotated[
        str, Pattern(r"^10\.[0-9]{4,9}/[^\s]+$", "a DOI such as 10.1145/3510457.3513054")
    ] = Field(
        "",
        description="DOI of the peer-reviewed version of a preprint; the entry itself "
        "stays the preprint (its exports carry the preprint's identity).",
    )
    accessed: Annotated[
        str,
        Pattern(
            r"^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "a date such as 2025-02-08",
            10,
        ),
    ] = Field("", description="Date the editors last opened the web page or preprint (YYYY-MM-DD).")
    url: Annotated[
        str, Pattern(r"^https://[^\s<>\"]+$", "an https:// address without spaces", 2000)
    ] = Field("", description="Landing page (https).")
    arxiv: Arxiv | None = Field(None, description="The arXiv preprint of this work.")
    note: Note = Field("", description="A note printed with the reference.")
    summary: Annotated[str, PlainText(1500, multiline=True)] = Field(
        "",
        description="Paraphrased summary of the source, in your own words (never the "
        "abstract). It may be left out while it is being written: the page then says so.",
    )
    study: StudyDesign | None = Field(None, description="How the study was done.")
    keywords: Annotated[
        tuple[Annotated[str, PlainText(80)], ...], Field(max_length=MAX_TAGS), UNIQUE
    ] = Field((), description="Keywords as published.")
    related: Annotated[tuple[RelatedSource, ...], Field(max_length=MAX_REFERENCES)] = Field(
        (), description="Related sources in the knowledge base."
    )
    open_questions: Annotated[
        tuple[Annotated[str, PlainText(400)], ...], Field(max_length=20), UNIQUE
    ] = Field((), description="What is not verified about this source, as questions.")

    @property
    def arxiv_id(self) -> str:
        """The arXiv identifier, or empty."""
        return self.arxiv.id if self.arxiv else ""

    @property
    def arxiv_class(self) -> str:
        """The primary arXiv category, or empty."""
        return self.arxiv.primary_class if self.arxiv else ""

    @property
    def venue(self) -> str:
        """Journal, proceedings or other outlet, whichever the record has."""
        if self.arxiv_id and not (self.journal or self.booktitle):
            return "arXiv preprint"
        return (
            self.journal or self.booktitle or self.school or self.institution or self.howpublished
        )

    @property
    def short_label(self) -> str:
        """'Araujo et al. (2024)' style label."""
        first = self.authors[0]
        name = first.family or first.literal
        if len(self.authors) == 2:
            second = self.authors[1]
            name = f"{name} and {second.family or second.literal}"
        elif len(self.authors) > 2:
            name += " et al."
        return f"{name} ({self.year or 'n.d.'})"


# ---------------------------------------------------------------------------------------------
# Studies


class Overlap(Record):
    """Another study that shares data, participants or authors with this one."""

    record_name: ClassVar[str] = "overlap"
    study: StudyId = Field(description="Id of the other study.")
    note: Annotated[str, PlainText(400)] = Field(description="What the two share.")


class Study(Entry):
    """One study: a data set collected (or reviewed) once, whatever the number of its reports.

    Evidence items cite reports (citations); the study of a report is derived from `reports`,
    and every count on the site counts studies, never papers.
    """

    record_name: ClassVar[str] = "study"
    type_name: ClassVar[str] = "study"
    title: Annotated[str, PlainText(150)] = Field(description="What was studied, how, in one line.")
    design: Annotated[str, v.STUDY_DESIGNS] = Field(description=v.STUDY_DESIGNS.description)
    kind: Annotated[str, v.STUDY_KINDS] = Field(description=v.STUDY_KINDS.description)
    population: Annotated[str, PlainText(300)] = Field(description="Who or what was studied.")
    sample_size: Annotated[int, Whole(1, 10_000_000)] | None = Field(
        None, description="How many participants or items, where the source states it."
    )
    sample_unit: Annotated[str, PlainText(100)] = Field(
        "", description="What was counted, e.g. `ML engineers`."
    )
    setting: Annotated[str, PlainText(300)] = Field("", description="Domain or setting studied.")
    data_collected: Annotated[str, PlainText(100)] = Field(
        "", description="When the data was collected, where the source states it."
    )
    peer_reviewed: Annotated[bool, FLAG] = Field(
        description="`true` when a report of the study passed peer review; `false` for "
        "preprints and theses."
    )
    reports: Annotated[
        tuple[CitationId, ...], Field(min_length=1, max_length=MAX_REFERENCES), UNIQUE
    ] = Field(description="Citations that report this study.")
    overlaps: Annotated[tuple[Overlap, ...], Field(max_length=MAX_REFERENCES)] = Field(
        (),
        description="Studies that share data, participants or authors with this one; declared "
        "in either study's file, an overlap shows on both studies' pages.",
    )
    locator: Locator = Field(description="Where the study facts were read (e.g. `abstract`).")

    @property
    def sample(self) -> str:
        """'18 ML engineers', or empty when no size is recorded."""
        if self.sample_size is None:
            return ""
        return f"{self.sample_size:,} {self.sample_unit}".strip()


# ---------------------------------------------------------------------------------------------
# Open questions


class Question(Entry):
    """Something the sources leave unknown, which a contribution could settle."""

    record_name: ClassVar[str] = "open question"
    type_name: ClassVar[str] = "question"
    requirements: ClassVar[tuple[Requirement, ...]] = (
        Requirement("kind", "not-yet-in-kb", ("reference",)),
    )
    title: Annotated[str, PlainText(150, longer_in="details")] = Field(
        description="The question, in one line."
    )
    details: Description = Field(description="What is known and what is missing.")
    would_settle: Annotated[str, PlainText(300)] = Field(
        description="Which source or fact would answer it."
    )
    principles: Annotated[tuple[PrincipleId, ...], Field(max_length=MAX_REFERENCES), UNIQUE] = (
        Field((), description="Principles the question concerns.")
    )
    citations: Annotated[tuple[CitationId, ...], Field(max_length=MAX_REFERENCES), UNIQUE] = Field(
        (), description="Sources the question concerns."
    )
    kind: Annotated[str, v.GAP_KINDS] = Field("open-question", description=v.GAP_KINDS.description)
    reference: Annotated[str, PlainText(500)] = Field(
        "",
        description="Bibliographic line of the study not yet in the knowledge base "
        "(authors, year, title, venue, DOI); required for `not-yet-in-kb`.",
    )


# ---------------------------------------------------------------------------------------------
# Decision guides
#
# How a guide decides is in `guides.py` (the one evaluator); these models hold its data.


class EvidenceCase(Record):
    """A balance of the evidence (and the confidence behind it) that gives a level."""

    record_name: ClassVar[str] = "evidence case"
    balance: Annotated[str, v.BALANCES] = Field(description=v.BALANCES.description)
    confidence: Annotated[tuple[Annotated[str, v.CONFIDENCE_LEVELS], ...], UNIQUE] = Field(
        (),
        description="Confidence levels, of the strongest finding that sets the balance (the "
        "benefits for `for` and `costly`, the drawbacks for `against`, both for `even`), for "
        "which the case holds; left out, any level.",
    )


class GuideLevel(Record):
    """A possible recommendation, and when the evidence alone gives it."""

    record_name: ClassVar[str] = "level"
    id: EntryId = Field(description="The level's id.")
    label: Annotated[str, PlainText(60)] = Field(description="What people read, e.g. `Invest now`.")
    description: Annotated[str, PlainText(300)] = Field(
        "", description="One sentence on what the level means."
    )
    needs: Annotated[str, PlainText(200)] = Field(
        description="The effort the level calls for, in one sentence (shown with the plan)."
    )
    from_evidence: Annotated[tuple[EvidenceCase, ...], Field(max_length=10)] = Field(
        (),
        description="Balances of the evidence that give this level without an editors' "
        "rule; no two levels may share a case. Left out, only rules give the level.",
    )


class AnswerContext(Facets):
    """What an answer says about the reader's setting, in the facets of a finding's context."""

    record_name: ClassVar[str] = "answer context"


class GuideOption(Record):
    """One answer to a question."""

    record_name: ClassVar[str] = "option"
    id: EntryId = Field(description="The option's id, used in page addresses.")
    label: Annotated[str, PlainText(150)] = Field(description="What people read.")
    description: Annotated[str, PlainText(300)] = Field(
        "", description="One sentence that explains it."
    )
    context: AnswerContext = Field(
        default_factory=AnswerContext,
        description="The setting this answer places the reader in: a finding whose context "
        "names a facet fits only answers that share one of its values.",
    )


class GuideQuestion(Record):
    """A question with its options."""

    record_name: ClassVar[str] = "question"
    id: EntryId = Field(description="The question's id, used in page addresses.")
    text: Annotated[str, PlainText(200)] = Field(description="The question.")
    short: Annotated[str, PlainText(60)] = Field(
        description="The question in a few words, as results name it (e.g. `Retraining`)."
    )
    help: Annotated[str, PlainText(300)] = Field("", description="A hint for answering.")
    options: Annotated[tuple[GuideOption, ...], Field(min_length=2, max_length=10)] = Field(
        description="Possible answers."
    )


class Condition(Record):
    """Holds when the answer to a question is one of some options."""

    record_name: ClassVar[str] = "condition"
    question: EntryId = Field(description="Id of a question of this guide.")
    options: Annotated[tuple[EntryId, ...], Field(min_length=1, max_length=20), UNIQUE] = Field(
        description="Ids of the options that satisfy it."
    )


Conditions = Annotated[tuple[Condition, ...], Field(max_length=20)]


class SubjectEvidence(Record):
    """A finding that weighs in a subject's recommendation, and when it speaks to the reader."""

    record_name: ClassVar[str] = "evidence item"
    finding: FindingId = Field(description="Id of a benefit or limitation.")
    counts: Annotated[str, v.EVIDENCE_SIDES] | None = Field(
        None, description=v.EVIDENCE_SIDES.description
    )
    when: Conditions = Field(
        (),
        description="Answers for which the editors judge the finding to speak to the reader "
        "(all must hold; shown with it). Its own context is checked against the answers too.",
    )


class Decision(Record):
    """The editors' decision where the evidence gives no level."""

    record_name: ClassVar[str] = "decision"
    level: EntryId = Field(description="Id of one of the guide's levels.")
    judgement: Annotated[str, PlainText(400)] = Field(
        description="The editors' reasoning, shown as their judgement, never as evidence. "
        "It may speak only of the situation its rule's `when` gives."
    )
    about: Annotated[tuple[FindingId, ...], Field(max_length=MAX_REFERENCES), UNIQUE] = Field(
        (),
        description="Findings the judgement draws on (shown with it); their context must fit "
        "every answer the decision is given for.",
    )


class Rule(Record):
    """A decision for particular answers, used where the evidence gives no level."""

    record_name: ClassVar[str] = "rule"
    when: Annotated[tuple[Condition, ...], Field(min_length=1, max_length=20)] = Field(
        description="Conditions that must all hold."
    )
    decision: Decision = Field(description="The level and the editors' judgement.")


class GuideSubject(Record):
    """A principle (or a challenge) the guide gives a recommendation on."""

    record_name: ClassVar[str] = "subject"
    subject: SubjectId = Field(description="Id of a principle, benefit or limitation.")
    first_step: Annotated[str, PlainText(300)] = Field(
        description="A light first step (a convention, a script) before any platform; shown "
        "as the editors' suggestion."
    )
    evidence: Annotated[tuple[SubjectEvidence, ...], Field(max_length=MAX_REFERENCES)] = Field(
        (), description="Findings weighed for this subject, each with when it applies."
    )
    rules: Annotated[tuple[Rule, ...], Field(max_length=100)] = Field(
        (),
        description="Where the evidence gives no level: the first rule whose conditions hold "
        "decides.",
    )
    default: Decision = Field(
        description="The decision when the evidence gives no level and no rule holds; its "
        "judgement may not speak of a particular situation."
    )


class Guide(Entry):
    """A decision guide: questions, the evidence weighed per subject, and the editors' rules."""

    record_name: ClassVar[str] = "guide"
    type_name: ClassVar[str] = "guide"
    title: Annotated[str, PlainText(120)] = Field(description="The question the guide answers.")
    summary: Annotated[str, PlainText(300, longer_in="description")] = Field(
        description="One sentence on what the guide does."
    )
    description: Description = Field("", description="How to read the result, in Markdown.")
    subject_heading: Annotated[str, PlainText(40)] = Field(
        description="What the subjects are called, e.g. `Principle`."
    )
    levels: Annotated[tuple[GuideLevel, ...], Field(min_length=2, max_length=10)] = Field(
        description="Possible recommendations, strongest first."
    )
    plan_levels: Annotated[tuple[EntryId, ...], Field(min_length=1, max_length=10), UNIQUE] = Field(
        description="Levels whose subjects make the plan (what to do first, second, third)."
    )
    questions: Annotated[tuple[GuideQuestion, ...], Field(min_length=1, max_length=12)] = Field(
        description="Questions asked, in order."
    )
    subjects: Annotated[tuple[GuideSubject, ...], Field(min_length=1, max_length=200)] = Field(
        description="What the guide recommends on, in the editors' order of priority (it "
        "breaks ties in the plan)."
    )


# ---------------------------------------------------------------------------------------------
# The knowledge base

E = TypeVar("E", bound=Entry)


@dataclass(frozen=True)
class KnowledgeBase:
    """Every entry, sorted by id within its type, by type name (see `registry.py`)."""

    by_type: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)

    def of_type(self, type_name: str) -> tuple[Entry, ...]:
        """Entries of one type, by the type's singular name."""
        return self.by_type.get(type_name, ())

    def _typed(self, type_name: str, cls: type[E]) -> tuple[E, ...]:
        del cls  # only for the type checker: the loader puts instances of cls there
        return cast("tuple[E, ...]", self.of_type(type_name))

    @property
    def principles(self) -> tuple[Principle, ...]:
        """Every principle."""
        return self._typed("principle", Principle)

    @property
    def benefits(self) -> tuple[Benefit, ...]:
        """Every benefit."""
        return self._typed("benefit", Benefit)

    @property
    def limitations(self) -> tuple[Limitation, ...]:
        """Every limitation."""
        return self._typed("limitation", Limitation)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Benefits then limitations."""
        return self.benefits + self.limitations

    @property
    def principles_and_findings(self) -> tuple[Principle | Finding, ...]:
        """The entries that have a page of evidence (and a bibliography of their own)."""
        return (*self.principles, *self.findings)

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """Every outcome group, in the map's order (then by id)."""
        return tuple(sorted(self._typed("outcome", Outcome), key=lambda o: (o.order, o.id)))

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every citation."""
        return self._typed("citation", Citation)

    @property
    def studies(self) -> tuple[Study, ...]:
        """Every study."""
        return self._typed("study", Study)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every open question."""
        return self._typed("question", Question)

    @property
    def guides(self) -> tuple[Guide, ...]:
        """Every decision guide."""
        return self._typed("guide", Guide)

    def all_entries(self) -> tuple[Entry, ...]:
        """Every entry, type by type in registry order."""
        return tuple(entry for entries in self.by_type.values() for entry in entries)

    @functools.cached_property
    def references(self) -> tuple[Ref, ...]:
        """Every reference between entries, found once (see refs.py)."""
        from kbsite.refs import references

        return tuple(ref for entry in self.all_entries() for ref in references(entry))

    @functools.cached_property
    def evidence(self) -> ratings.Evidence:
        """Every finding rated, once (see ratings.py).

        The guides' checks, the pages and the JSON export all need it; entries are immutable.
        """
        from kbsite.ratings import evaluate

        return evaluate(self)
