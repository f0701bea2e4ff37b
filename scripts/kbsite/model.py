"""Typed, immutable entries built from documents that passed schema validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kbsite.yamlio import Document, Path_, Position


@dataclass(frozen=True)
class SourceFile:
    """Where an entry came from, so later checks can point at a line."""

    path: str
    document: Document = field(compare=False, repr=False)

    def position(self, where: Path_, *, key: bool = False) -> Position:
        """Line and column of the value (or key) at `where`."""
        return self.document.position(where, key=key)


@dataclass(frozen=True)
class Author:
    """A person, or an organisation whose name must not be split."""

    family: str = ""
    given: str = ""
    literal: str = ""

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


@dataclass(frozen=True)
class DefinitionSource:
    """Where a principle is defined."""

    citation: str
    locator: str
    note: str = ""


@dataclass(frozen=True)
class Evidence:
    """One source's support for a finding."""

    citation: str
    locator: str
    study: tuple[str, ...]
    link: str
    finding: str
    note: str = ""


@dataclass(frozen=True)
class Context:
    """Conditions under which a finding applies."""

    project_stages: tuple[str, ...] = ()
    deployment: tuple[str, ...] = ()
    learning: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_empty(self) -> bool:
        """True when the sources give no condition."""
        return not (
            self.project_stages or self.deployment or self.learning or self.sectors or self.note
        )


@dataclass(frozen=True)
class Principle:
    """An MLOps principle."""

    id: str
    title: str
    summary: str
    description: str
    defined_in: DefinitionSource
    source: SourceFile
    number: int | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Title with its number, e.g. 'P4 Versioning'."""
        return f"P{self.number} {self.title}" if self.number else self.title


@dataclass(frozen=True)
class Finding:
    """A benefit or a limitation (with limitation_kind) that sources report."""

    type: str
    id: str
    title: str
    summary: str
    principles: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    source: SourceFile
    description: str = ""
    limitation_kind: str = ""
    context: Context = Context()
    tags: tuple[str, ...] = ()

    @property
    def citation_ids(self) -> tuple[str, ...]:
        """Ids of the cited sources, in order of first use, without repeats."""
        return tuple(dict.fromkeys(item.citation for item in self.evidence))


@dataclass(frozen=True)
class Sample:
    """A group of participants a study drew on."""

    method: str
    size: int
    unit: str


@dataclass(frozen=True)
class StudyDesign:
    """How a study was done."""

    methods: tuple[str, ...]
    participants: str = ""
    samples: tuple[Sample, ...] = ()
    setting: str = ""
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Related:
    """A link from one source to another."""

    citation: str
    relation: str


@dataclass(frozen=True)
class Citation:
    """A source with its bibliographic record."""

    id: str
    role: str
    entry_type: str
    title: str
    authors: tuple[Author, ...]
    summary: str
    source: SourceFile
    year: int | None = None
    journal: str = ""
    booktitle: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    publisher: str = ""
    organization: str = ""
    school: str = ""
    institution: str = ""
    howpublished: str = ""
    isbn: str = ""
    issn: str = ""
    doi: str = ""
    url: str = ""
    arxiv_id: str = ""
    arxiv_class: str = ""
    note: str = ""
    kind: str = ""
    genre: str = ""
    address: str = ""
    published_doi: str = ""
    accessed: str = ""
    author_list: str = "complete"
    study: StudyDesign | None = None
    keywords: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    open_questions: tuple[str, ...] = ()

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


@dataclass(frozen=True)
class Question:
    """An open question the sources leave unanswered."""

    id: str
    title: str
    details: str
    would_settle: str
    source: SourceFile
    principles: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Labelled:
    """A value with its label (a guide's level, or a question's option)."""

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class GuideQuestion:
    """A question of a guide."""

    id: str
    text: str
    options: tuple[Labelled, ...]
    help: str = ""


@dataclass(frozen=True)
class Condition:
    """Holds when the answer to `question` is one of `options`."""

    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """A recommendation level, the findings it rests on, and any editors' judgement."""

    level: str
    because: tuple[str, ...] = ()
    judgement: str = ""


@dataclass(frozen=True)
class Rule:
    """An outcome that applies when all conditions hold."""

    when: tuple[Condition, ...]
    outcome: Outcome


@dataclass(frozen=True)
class GuideSubject:
    """What a guide recommends on: a principle or a finding."""

    subject: str
    default: Outcome
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Guide:
    """A decision guide."""

    id: str
    title: str
    summary: str
    subject_heading: str
    levels: tuple[Labelled, ...]
    questions: tuple[GuideQuestion, ...]
    subjects: tuple[GuideSubject, ...]
    source: SourceFile
    description: str = ""


Entry = Principle | Finding | Citation | Question | Guide


@dataclass(frozen=True)
class KnowledgeBase:
    """Every entry, sorted by id within its type."""

    principles: tuple[Principle, ...] = ()
    benefits: tuple[Finding, ...] = ()
    limitations: tuple[Finding, ...] = ()
    citations: tuple[Citation, ...] = ()
    questions: tuple[Question, ...] = ()
    guides: tuple[Guide, ...] = ()

    def of_type(self, type_name: str) -> tuple[Entry, ...]:
        """Entries of one type, by the type's singular name."""
        return {
            "principle": self.principles,
            "benefit": self.benefits,
            "limitation": self.limitations,
            "citation": self.citations,
            "question": self.questions,
            "guide": self.guides,
        }[type_name]

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Benefits then limitations."""
        return self.benefits + self.limitations


# ---------------------------------------------------------------------------------------------
# Construction from validated plain data


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(item) for item in data.get(key) or ())


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def build_entry(type_name: str, data: dict[str, Any], source: SourceFile) -> Entry:
    """Turn one validated document into its typed entry."""
    if type_name == "principle":
        defined = data["defined_in"]
        return Principle(
            id=data["id"],
            title=_text(data, "title"),
            summary=_text(data, "summary"),
            description=_text(data, "description"),
            defined_in=DefinitionSource(
                defined["citation"], _text(defined, "locator"), _text(defined, "note")
            ),
            source=source,
            number=data.get("number"),
            aliases=_strings(data, "aliases"),
            related=_strings(data, "related"),
            tags=_strings(data, "tags"),
        )
    if type_name in ("benefit", "limitation"):
        context = data.get("context") or {}
        return Finding(
            type=type_name,
            id=data["id"],
            title=_text(data, "title"),
            summary=_text(data, "summary"),
            description=_text(data, "description"),
            limitation_kind=_text(data, "kind"),
            principles=_strings(data, "principles"),
            context=Context(
                project_stages=_strings(context, "project_stages"),
                deployment=_strings(context, "deployment"),
                learning=_strings(context, "learning"),
                sectors=_strings(context, "sectors"),
                note=_text(context, "note"),
            ),
            evidence=tuple(
                Evidence(
                    citation=item["citation"],
                    locator=_text(item, "locator"),
                    study=_strings(item, "study"),
                    link=item["link"],
                    finding=_text(item, "finding"),
                    note=_text(item, "note"),
                )
                for item in data["evidence"]
            ),
            tags=_strings(data, "tags"),
            source=source,
        )
    if type_name == "citation":
        study = data.get("study")
        arxiv = data.get("arxiv") or {}
        scalars = (
            "journal",
            "booktitle",
            "volume",
            "number",
            "pages",
            "publisher",
            "organization",
            "school",
            "institution",
            "howpublished",
            "isbn",
            "issn",
            "doi",
            "url",
            "note",
            "kind",
            "genre",
            "address",
            "published_doi",
            "accessed",
        )
        return Citation(
            author_list=_text(data, "author_list") or "complete",
            id=data["id"],
            role=data["role"],
            entry_type=data["entry_type"],
            title=_text(data, "title"),
            authors=tuple(
                Author(_text(a, "family"), _text(a, "given"), _text(a, "literal"))
                for a in data["authors"]
            ),
            summary=_text(data, "summary"),
            source=source,
            year=int(data["year"]) if data.get("year") is not None else None,
            **{key: _text(data, key) for key in scalars},
            arxiv_id=_text(arxiv, "id"),
            arxiv_class=_text(arxiv, "primary_class"),
            study=None
            if study is None
            else StudyDesign(
                methods=_strings(study, "methods"),
                participants=_text(study, "participants"),
                samples=tuple(
                    Sample(s["method"], int(s["size"]), _text(s, "unit"))
                    for s in study.get("samples") or ()
                ),
                setting=_text(study, "setting"),
                sectors=_strings(study, "sectors"),
            ),
            keywords=_strings(data, "keywords"),
            related=tuple(Related(r["citation"], r["relation"]) for r in data.get("related") or ()),
            open_questions=_strings(data, "open_questions"),
        )
    if type_name == "question":
        return Question(
            id=data["id"],
            title=_text(data, "title"),
            details=_text(data, "details"),
            would_settle=_text(data, "would_settle"),
            source=source,
            principles=_strings(data, "principles"),
            citations=_strings(data, "citations"),
        )
    if type_name == "guide":
        return Guide(
            id=data["id"], title=_text(data, "title"), summary=_text(data, "summary"),
            description=_text(data, "description"),
            subject_heading=_text(data, "subject_heading"),
            levels=tuple(_labelled(item) for item in data["levels"]),
            questions=tuple(
                GuideQuestion(id=q["id"], text=_text(q, "text"), help=_text(q, "help"),
                              options=tuple(_labelled(o) for o in q["options"]))
                for q in data["questions"]
            ),
            subjects=tuple(
                GuideSubject(
                    subject=item["subject"], default=_outcome(item["default"]),
                    rules=tuple(
                        Rule(when=tuple(Condition(c["question"], tuple(c["options"]))
                                        for c in rule["when"]),
                             outcome=_outcome(rule))
                        for rule in item.get("rules") or ()
                    ),
                )
                for item in data["subjects"]
            ),
            source=source,
        )
    raise ValueError(type_name)  # pragma: no cover - the loader only passes known types


def _labelled(data: dict[str, Any]) -> Labelled:
    return Labelled(data["id"], _text(data, "label"), _text(data, "description"))


def _outcome(data: dict[str, Any]) -> Outcome:
    return Outcome(data["level"], _strings(data, "because"), _text(data, "judgement"))
