"""The shape of every entry type, declared once.

The validator (`validate.py`) and the published JSON Schema files (`kb/schema/*.schema.json`,
made by `json_schema()`) both read these declarations, so the two cannot drift apart; a test
also checks that they accept and reject the same documents.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_EXPECTATION = "a kebab-case id (lower-case letters and digits in words joined by single hyphens)"

# Control characters and bidirectional overrides can hide text from reviewers ("trojan source").
_FORBIDDEN_CHARS = "\\u0000-\\u0008\\u000b-\\u001f\\u007f\\u202a-\\u202e\\u2066-\\u2069"
LINE_PATTERN = f"^[^{_FORBIDDEN_CHARS}\\n]*\\n?$"
BLOCK_PATTERN = f"^[^{_FORBIDDEN_CHARS}]*$"
NOT_BLANK_PATTERN = r"\S"


@dataclass(frozen=True, kw_only=True)
class Spec:
    """Base of all value declarations."""

    description: str = ""


@dataclass(frozen=True, kw_only=True)
class Text(Spec):
    """A string; single-line unless multiline; Markdown when markdown is set."""

    pattern: str | None = None
    expectation: str = ""
    """How to describe the pattern to a person, e.g. 'a DOI such as 10.1109/...'."""
    max_length: int | None = None
    multiline: bool = False
    markdown: bool = False


@dataclass(frozen=True, kw_only=True)
class Integer(Spec):
    """A whole number within bounds."""

    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, kw_only=True)
class Choice(Spec):
    """One value of a closed vocabulary; each value has a label shown on the site."""

    values: tuple[tuple[str, str], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The allowed values."""
        return tuple(name for name, _ in self.values)


@dataclass(frozen=True, kw_only=True)
class Ref(Spec):
    """The id of another entry; that the entry exists is checked across files."""

    target: str


@dataclass(frozen=True, kw_only=True)
class ListOf(Spec):
    """A list of items of one kind."""

    item: Spec
    min_items: int = 0
    unique: bool = True


@dataclass(frozen=True, kw_only=True)
class Field:
    """A named field of a record."""

    name: str
    spec: Spec
    required: bool = False


@dataclass(frozen=True, kw_only=True)
class Requirement:
    """Fields that become required when another field has a given value."""

    when_field: str
    when_value: str
    required: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Record(Spec):
    """A mapping with a closed set of fields."""

    name: str
    fields: tuple[Field, ...]
    exactly_one_of: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()

    def field(self, name: str) -> Field | None:
        """The field called name, if the record has one."""
        return self._fields_by_name.get(name)

    @functools.cached_property
    def _fields_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of all fields, in declaration order."""
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True, kw_only=True)
class EntryType:
    """A kind of entry: its folder under kb/ and the record each file holds."""

    name: str
    folder: str
    plural_title: str
    record: Record


# ---------------------------------------------------------------------------------------------
# Vocabularies

STUDY_TYPES = Choice(
    description="Kind of study behind a statement.",
    values=(
        ("focus-group", "Focus group"),
        ("survey", "Survey"),
        ("interviews", "Interviews"),
        ("literature-review", "Literature review"),
        ("tool-review", "Tool review"),
        ("case-study", "Case study"),
        ("hands-on-project", "Hands-on project"),
        ("ethnography", "Ethnography"),
        ("experiment", "Experiment"),
        ("mixed-methods", "Mixed methods"),
    ),
)

LINK_KINDS = Choice(
    description=(
        "Who makes the link between this finding and its principles: `stated` when the source "
        "itself names the principle, `inferred` when the knowledge base's editors map it by their "
        "own reading, `cross-cutting` when the finding concerns MLOps principles in general."
    ),
    values=(
        ("stated", "Stated by the source"),
        ("inferred", "Editors' inference"),
        ("cross-cutting", "Concerns the principles in general"),
    ),
)

PROJECT_STAGES = Choice(
    description="Stage of the ML application the finding applies to.",
    values=(
        ("first-version", "First or initial version"),
        ("larger-application", "Larger application in production"),
    ),
)

DEPLOYMENT_MODES = Choice(
    description="How models reach production in the context the finding applies to.",
    values=(
        ("not-deployed", "Not yet deployed"),
        ("continuous", "Continuous model deployment"),
    ),
)

LEARNING_MODES = Choice(
    description="Kind of machine learning in the context the finding applies to.",
    values=(
        ("online-supervised", "Online supervised learning"),
        ("any", "Any kind of ML application"),
    ),
)

LIMITATION_KINDS = Choice(
    description=(
        "What sort of cost this is: a drawback of applying the principles, a challenge that "
        "hinders adoption, or an effort that adoption requires."
    ),
    values=(
        ("drawback", "Drawback"),
        ("adoption-challenge", "Adoption challenge"),
        ("required-effort", "Required effort"),
    ),
)

CITATION_ROLES = Choice(
    description=(
        "Why the knowledge base holds this source: `primary` studies supply the benefits and "
        "limitations; the `framework` defines the principles; `related` work gives context."
    ),
    values=(
        ("primary", "Primary study"),
        ("framework", "Framework"),
        ("related", "Related work"),
    ),
)

ENTRY_TYPES_BIBTEX = Choice(
    description="BibTeX entry type.",
    values=(
        ("article", "Journal article"),
        ("inproceedings", "Conference paper"),
        ("incollection", "Book chapter"),
        ("book", "Book"),
        ("mastersthesis", "Master's thesis"),
        ("phdthesis", "PhD thesis"),
        ("techreport", "Technical report"),
        ("misc", "Other (preprint, data set, web page)"),
    ),
)

WORK_KINDS = Choice(
    description=(
        "What a `misc` (or other) entry is, when the entry type does not say it: a `preprint`, "
        "a `dataset`, a `webpage` or `software`. It decides the RIS, CSL and Zotero item type."
    ),
    values=(
        ("preprint", "Preprint"),
        ("dataset", "Data set"),
        ("webpage", "Web page"),
        ("software", "Software"),
    ),
)

AUTHOR_LISTS = Choice(
    description=(
        "`complete` (the default) when `authors` lists every author; `truncated` when the "
        "source's own list ends in et al. (BibTeX `and others`)."
    ),
    values=(("complete", "Complete"), ("truncated", "Ends in et al.")),
)

RELATIONS = Choice(
    description="How a related source relates to this one.",
    values=(
        ("similar-study", "Similar study"),
        ("thesis", "Dissertation behind this study"),
        ("study-of-thesis", "Study drawn from this dissertation"),
        ("artifacts", "Artifact package of this study"),
        ("study-of-artifacts", "Study these artifacts belong to"),
    ),
)

# ---------------------------------------------------------------------------------------------
# Reusable pieces


def _id(description: str) -> Text:
    return Text(description=description, pattern=ID_PATTERN, expectation=ID_EXPECTATION)


def _line(description: str, max_length: int | None = None) -> Text:
    return Text(description=description, max_length=max_length)


def _markdown(description: str) -> Text:
    return Text(description=description, multiline=True, markdown=True)


def _refs(target: str, description: str) -> ListOf:
    return ListOf(description=description, item=Ref(target=target, description=f"id of a {target}"))


TAGS = ListOf(
    description="Keywords that group entries on the tags page (kebab-case).",
    item=_id("a tag"),
)

LOCATOR = _line(
    "Where in the source: a section, a page, or `abstract`. Precise enough that a reader can "
    "find the passage.",
    max_length=200,
)

CONTEXT = Record(
    name="context",
    description="Conditions under which the finding applies, as the sources give them.",
    fields=(
        Field(
            name="project_stages",
            spec=ListOf(description=PROJECT_STAGES.description, item=PROJECT_STAGES),
        ),
        Field(
            name="deployment",
            spec=ListOf(description=DEPLOYMENT_MODES.description, item=DEPLOYMENT_MODES),
        ),
        Field(
            name="learning",
            spec=ListOf(description=LEARNING_MODES.description, item=LEARNING_MODES),
        ),
        Field(
            name="sectors",
            spec=ListOf(
                description="Industry sectors the source names (kebab-case, e.g. finance).",
                item=_id("a sector"),
            ),
        ),
        Field(name="note", spec=_line("Any other condition, in one sentence.", 300)),
    ),
)

EVIDENCE = Record(
    name="evidence item",
    description="One source's support for the finding.",
    fields=(
        Field(
            name="citation",
            spec=Ref(target="citation", description="id of the citation"),
            required=True,
        ),
        Field(name="locator", spec=LOCATOR, required=True),
        Field(
            name="study",
            spec=ListOf(
                description="Kind of study behind this statement.", item=STUDY_TYPES, min_items=1
            ),
            required=True,
        ),
        Field(name="link", spec=LINK_KINDS, required=True),
        Field(
            name="finding",
            spec=Text(
                description="What the source reports, paraphrased (never copied).",
                multiline=True,
                max_length=600,
            ),
            required=True,
        ),
        Field(name="note", spec=_line("A caveat about this evidence, in one sentence.", 300)),
    ),
)

FINDING_FIELDS = (
    Field(name="id", spec=_id("The entry's id; must equal the file name."), required=True),
    Field(name="title", spec=_line("Short title, as a noun phrase.", 90), required=True),
    Field(name="summary", spec=_line("One sentence that states the finding.", 300), required=True),
    Field(name="description", spec=_markdown("Longer explanation in Markdown (optional).")),
    Field(
        name="principles",
        spec=_refs(
            "principle",
            "Principles the finding concerns; an empty list marks a cross-cutting finding.",
        ),
        required=True,
    ),
    Field(name="context", spec=CONTEXT),
    Field(
        name="evidence",
        spec=ListOf(description="Sources that report the finding.", item=EVIDENCE, min_items=1),
        required=True,
    ),
    Field(name="tags", spec=TAGS),
)

PRINCIPLE = Record(
    name="principle",
    description="An MLOps principle.",
    fields=(
        Field(name="id", spec=_id("The entry's id; must equal the file name."), required=True),
        Field(
            name="number",
            spec=Integer(
                description="Number of the principle in its defining source (P1 to P9).",
                minimum=1,
                maximum=99,
            ),
        ),
        Field(name="title", spec=_line("Name of the principle.", 90), required=True),
        Field(
            name="summary", spec=_line("One-sentence paraphrased definition.", 300), required=True
        ),
        Field(
            name="description",
            spec=_markdown("Longer paraphrased description in Markdown."),
            required=True,
        ),
        Field(
            name="aliases",
            spec=ListOf(
                description="Other names people search for (e.g. CI/CD, model registry).",
                item=_line("an alias", 60),
            ),
        ),
        Field(
            name="defined_in",
            spec=Record(
                name="definition source",
                description="Where the principle is defined.",
                fields=(
                    Field(
                        name="citation",
                        spec=Ref(target="citation", description="id of the citation"),
                        required=True,
                    ),
                    Field(name="locator", spec=LOCATOR, required=True),
                    Field(name="note", spec=_line("How the definition was checked.", 300)),
                ),
            ),
            required=True,
        ),
        Field(name="related", spec=_refs("principle", "Closely related principles.")),
        Field(name="tags", spec=TAGS),
    ),
)

BENEFIT = Record(
    name="benefit", description="A benefit practitioners report.", fields=FINDING_FIELDS
)

LIMITATION = Record(
    name="limitation",
    description="A limitation, adoption challenge or required effort practitioners report.",
    fields=(
        *FINDING_FIELDS[:4],
        Field(name="kind", spec=LIMITATION_KINDS, required=True),
        *FINDING_FIELDS[4:],
    ),
)

AUTHOR = Record(
    name="author",
    description="A person or organisation; `literal` for a name that must not be split.",
    fields=(
        Field(name="family", spec=_line("Family name.", 100)),
        Field(name="given", spec=_line("Given names.", 100)),
        Field(name="literal", spec=_line("Name exactly as published, not split.", 200)),
    ),
    exactly_one_of=("family", "literal"),
)

SAMPLE = Record(
    name="sample",
    description="One group of participants or items a study drew on.",
    fields=(
        Field(name="method", spec=STUDY_TYPES, required=True),
        Field(name="size", spec=Integer(description="How many.", minimum=1), required=True),
        Field(
            name="unit", spec=_line("What was counted, e.g. `professionals`.", 100), required=True
        ),
    ),
)

CITATION = Record(
    name="citation",
    description="A source, with its bibliographic record and study design.",
    fields=(
        Field(name="id", spec=_id("The citation key; must equal the file name."), required=True),
        Field(name="role", spec=CITATION_ROLES, required=True),
        Field(name="entry_type", spec=ENTRY_TYPES_BIBTEX, required=True),
        Field(
            name="title",
            spec=_line("Title as published, without BibTeX braces.", 300),
            required=True,
        ),
        Field(
            name="authors",
            spec=ListOf(
                description="Authors in published order.", item=AUTHOR, min_items=1, unique=False
            ),
            required=True,
        ),
        Field(
            name="year",
            spec=Integer(description="Year of publication.", minimum=1000, maximum=2100),
        ),
        Field(name="kind", spec=WORK_KINDS),
        Field(
            name="genre",
            spec=_line("What the work calls itself, printed with it: e.g. Master's dissertation "
                       "(BibTeX `type`, CSL `genre`).", 80),
        ),
        Field(name="author_list", spec=AUTHOR_LISTS),
        Field(name="journal", spec=_line("Journal name.", 300)),
        Field(name="booktitle", spec=_line("Proceedings title.", 300)),
        Field(name="volume", spec=_line("Volume.", 20)),
        Field(name="number", spec=_line("Issue number.", 20)),
        Field(
            name="pages",
            spec=Text(
                description=(
                    "Page range with a single hyphen, e.g. 305-312, one page, an article "
                    "number such as e13477, or article:page as in 114:1-114:29."
                ),
                pattern=r"^[A-Za-z]{0,3}[0-9]+(:[0-9]+)?(-[A-Za-z]{0,3}[0-9]+(:[0-9]+)?)?$",
                expectation="a page or page range such as 305-312, or an article number",
            ),
        ),
        Field(name="publisher", spec=_line("Publisher.", 200)),
        Field(name="organization", spec=_line("Organising body.", 200)),
        Field(name="school", spec=_line("University, for theses.", 300)),
        Field(name="institution", spec=_line("Institution, for reports.", 300)),
        Field(name="howpublished", spec=_line("How it was published, for misc entries.", 200)),
        Field(
            name="address",
            spec=_line("Place of publication (city, country), as styles print it.", 120),
        ),
        Field(
            name="isbn",
            spec=Text(
                description="ISBN with hyphens.",
                pattern=r"^[0-9][0-9-]{8,15}[0-9Xx]$",
                expectation="an ISBN such as 978-989-758-692-7",
            ),
        ),
        Field(
            name="issn",
            spec=Text(
                description="ISSN.",
                pattern=r"^[0-9]{4}-[0-9]{3}[0-9Xx]$",
                expectation="an ISSN such as 2169-3536",
            ),
        ),
        Field(
            name="doi",
            spec=Text(
                description="DOI without the https://doi.org/ prefix.",
                pattern=r"^10\.[0-9]{4,9}/[^\s]+$",
                expectation="a DOI such as 10.1109/ACCESS.2023.3262138",
            ),
        ),
        Field(
            name="published_doi",
            spec=Text(
                description=(
                    "DOI of the peer-reviewed version of a preprint; the entry itself stays "
                    "the preprint (its exports carry the preprint's identity)."
                ),
                pattern=r"^10\.[0-9]{4,9}/[^\s]+$",
                expectation="a DOI such as 10.1145/3510457.3513054",
            ),
        ),
        Field(
            name="accessed",
            spec=Text(
                description="Date the editors last opened the web page or preprint (YYYY-MM-DD).",
                pattern=r"^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                expectation="a date such as 2025-02-08",
            ),
        ),
        Field(
            name="url",
            spec=Text(
                description="Landing page (https).",
                pattern=r"^https://[^\s<>\"]+$",
                expectation="an https:// address without spaces",
            ),
        ),
        Field(
            name="arxiv",
            spec=Record(
                name="arXiv record",
                description="The arXiv preprint of this work.",
                fields=(
                    Field(
                        name="id",
                        spec=Text(
                            description="arXiv identifier.",
                            pattern=r"^[0-9]{4}\.[0-9]{4,5}$",
                            expectation="an arXiv id such as 2502.05634",
                        ),
                        required=True,
                    ),
                    Field(
                        name="primary_class",
                        spec=Text(
                            description="Primary arXiv category, e.g. cs.SE.",
                            pattern=r"^[a-z-]+(\.[A-Za-z-]+)?$",
                            expectation="an arXiv category such as cs.SE",
                        ),
                    ),
                ),
            ),
        ),
        Field(name="note", spec=_line("A note printed with the reference.", 300)),
        Field(
            name="summary",
            spec=Text(
                description=(
                    "Paraphrased summary of the source, in your own words (never the abstract). "
                    "It may be left out while it is being written: the page then says so."
                ),
                multiline=True,
                max_length=1500,
            ),
        ),
        Field(
            name="study",
            spec=Record(
                name="study design",
                description="How the study was done.",
                fields=(
                    Field(
                        name="methods",
                        spec=ListOf(description="Methods used.", item=STUDY_TYPES, min_items=1),
                        required=True,
                    ),
                    Field(name="participants", spec=_line("Who took part, in words.", 300)),
                    Field(
                        name="samples",
                        spec=ListOf(
                            description="Sample sizes per method.", item=SAMPLE, unique=False
                        ),
                    ),
                    Field(name="setting", spec=_line("Domain or setting studied.", 300)),
                    Field(
                        name="sectors",
                        spec=ListOf(
                            description="Industry sectors named by the source (kebab-case).",
                            item=_id("a sector"),
                        ),
                    ),
                ),
            ),
        ),
        Field(
            name="keywords",
            spec=ListOf(description="Keywords as published.", item=_line("a keyword", 80)),
        ),
        Field(
            name="related",
            spec=ListOf(
                description="Related sources in the knowledge base.",
                item=Record(
                    name="related source",
                    description="A related source.",
                    fields=(
                        Field(
                            name="citation",
                            spec=Ref(target="citation", description="id of the citation"),
                            required=True,
                        ),
                        Field(name="relation", spec=RELATIONS, required=True),
                    ),
                ),
                unique=False,
            ),
        ),
        Field(
            name="open_questions",
            spec=ListOf(
                description="What is not verified about this source, as questions.",
                item=_line("an open question", 400),
            ),
        ),
    ),
    requirements=(
        Requirement(when_field="entry_type", when_value="article", required=("journal", "year")),
        Requirement(
            when_field="entry_type", when_value="inproceedings", required=("booktitle", "year")
        ),
        Requirement(
            when_field="entry_type",
            when_value="incollection",
            required=("booktitle", "publisher", "year"),
        ),
        Requirement(when_field="entry_type", when_value="book", required=("publisher", "year")),
        Requirement(
            when_field="entry_type", when_value="mastersthesis", required=("school",)
        ),
        Requirement(when_field="entry_type", when_value="phdthesis", required=("school",)),
        Requirement(
            when_field="entry_type", when_value="techreport", required=("institution", "year")
        ),
    ),
)

QUESTION = Record(
    name="open question",
    description="Something the sources leave unknown, which a contribution could settle.",
    fields=(
        Field(name="id", spec=_id("The entry's id; must equal the file name."), required=True),
        Field(name="title", spec=_line("The question, in one line.", 150), required=True),
        Field(name="details", spec=_markdown("What is known and what is missing."), required=True),
        Field(
            name="would_settle",
            spec=_line("Which source or fact would answer it.", 300),
            required=True,
        ),
        Field(name="principles", spec=_refs("principle", "Principles the question concerns.")),
        Field(name="citations", spec=_refs("citation", "Sources the question concerns.")),
    ),
)


LABELLED = Record(
    name="labelled value",
    description="A value with the label people see.",
    fields=(
        Field(name="id", spec=_id("The value's id, used in page addresses."), required=True),
        Field(name="label", spec=_line("What people read.", 150), required=True),
        Field(name="description", spec=_line("One sentence that explains it.", 300)),
    ),
)

CONDITION = Record(
    name="condition",
    description="Holds when the answer to a question is one of some options.",
    fields=(
        Field(name="question", spec=_id("Id of a question of this guide."), required=True),
        Field(
            name="options",
            spec=ListOf(description="Ids of the options that satisfy it.",
                        item=_id("an option id"), min_items=1),
            required=True,
        ),
    ),
)

OUTCOME_FIELDS = (
    Field(name="level", spec=_id("Id of one of the guide's levels."), required=True),
    Field(
        name="because",
        spec=_refs("finding", "Benefits and limitations the outcome rests on (their evidence "
                   "and citations are shown with it)."),
    ),
    Field(name="judgement", spec=_line(
        "The editors' reasoning, required when no finding supports the outcome; it is shown "
        "as the editors' judgement, not as evidence.", 400)),
)

RULE = Record(
    name="rule",
    description="An outcome that applies when all its conditions hold.",
    fields=(
        Field(name="when", spec=ListOf(description="Conditions that must all hold.",
                                       item=CONDITION, min_items=1, unique=False),
              required=True),
        *OUTCOME_FIELDS,
    ),
)

SUBJECT = Record(
    name="subject",
    description="A principle or finding the guide gives a recommendation on.",
    fields=(
        Field(name="subject", spec=_id("Id of a principle, benefit or limitation."),
              required=True),
        Field(name="default", spec=Record(name="default outcome",
                                          description="The outcome when no rule applies.",
                                          fields=OUTCOME_FIELDS), required=True),
        Field(name="rules", spec=ListOf(description="Outcomes for particular answers; rules "
                                        "that can hold together must agree.", item=RULE,
                                        unique=False)),
    ),
)

GUIDE = Record(
    name="guide",
    description="A decision guide: questions, and rules that map answers to recommendations.",
    fields=(
        Field(name="id", spec=_id("The entry's id; must equal the file name."), required=True),
        Field(name="title", spec=_line("The question the guide answers.", 120), required=True),
        Field(name="summary", spec=_line("One sentence on what the guide does.", 300),
              required=True),
        Field(name="description", spec=_markdown("How to read the result, in Markdown.")),
        Field(name="subject_heading", spec=_line("Heading of the result column, e.g. "
                                                 "`Principle`.", 40), required=True),
        Field(name="levels", spec=ListOf(description="Possible recommendations, strongest "
                                         "first.", item=LABELLED, min_items=2, unique=False),
              required=True),
        Field(
            name="questions",
            spec=ListOf(
                description="Questions asked, in order.",
                item=Record(
                    name="question",
                    description="A question with its options.",
                    fields=(
                        Field(name="id", spec=_id("The question's id, used in page addresses."),
                              required=True),
                        Field(name="text", spec=_line("The question.", 200), required=True),
                        Field(name="help", spec=_line("A hint for answering.", 300)),
                        Field(name="options", spec=ListOf(description="Possible answers.",
                                                          item=LABELLED, min_items=2,
                                                          unique=False), required=True),
                    ),
                ),
                min_items=1,
                unique=False,
            ),
            required=True,
        ),
        Field(name="subjects", spec=ListOf(description="What the guide recommends on.",
                                           item=SUBJECT, min_items=1, unique=False),
              required=True),
    ),
)

ENTRY_TYPES: tuple[EntryType, ...] = (
    EntryType(name="principle", folder="principles", plural_title="Principles", record=PRINCIPLE),
    EntryType(name="benefit", folder="benefits", plural_title="Benefits", record=BENEFIT),
    EntryType(
        name="limitation", folder="limitations", plural_title="Limitations", record=LIMITATION
    ),
    EntryType(name="citation", folder="citations", plural_title="Citations", record=CITATION),
    EntryType(name="question", folder="questions", plural_title="Open questions", record=QUESTION),
    EntryType(name="guide", folder="guides", plural_title="Decision guides", record=GUIDE),
)
ENTRY_TYPES_BY_NAME = {entry_type.name: entry_type for entry_type in ENTRY_TYPES}


def label(choice: Choice, value: str) -> str:
    """The label of one vocabulary value."""
    return dict(choice.values)[value]


# ---------------------------------------------------------------------------------------------
# JSON Schema


def json_schema(entry_type: EntryType) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that editors use for one entry type."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{entry_type.name}.schema.json",
        "title": f"MLOps knowledge base: {entry_type.record.name}",
    }
    schema.update(_json(entry_type.record))
    return schema


def _text_json(spec: Text) -> dict[str, Any]:
    result: dict[str, Any] = {"type": "string"}
    if spec.description:
        result["description"] = spec.description
    if spec.max_length:
        result["maxLength"] = spec.max_length
    charset = BLOCK_PATTERN if spec.multiline else LINE_PATTERN
    patterns = [charset, NOT_BLANK_PATTERN]
    if spec.pattern:
        patterns.append(spec.pattern)
    result["allOf"] = [{"pattern": pattern} for pattern in patterns]
    return result


def _json(spec: Spec) -> dict[str, Any]:
    result: dict[str, Any]
    if isinstance(spec, Text):
        return _text_json(spec)
    if isinstance(spec, Ref):
        result = {"type": "string", "pattern": ID_PATTERN}
    elif isinstance(spec, Integer):
        result = {"type": "integer"}
        if spec.minimum is not None:
            result["minimum"] = spec.minimum
        if spec.maximum is not None:
            result["maximum"] = spec.maximum
    elif isinstance(spec, Choice):
        result = {"type": "string", "enum": list(spec.names)}
    elif isinstance(spec, ListOf):
        result = {"type": "array", "items": _json(spec.item)}
        if spec.min_items:
            result["minItems"] = spec.min_items
        if spec.unique:
            result["uniqueItems"] = True
    elif isinstance(spec, Record):
        result = {
            "type": "object",
            "additionalProperties": False,
            "properties": {f.name: _json(f.spec) for f in spec.fields},
        }
        required = [f.name for f in spec.fields if f.required]
        if required:
            result["required"] = required
        if spec.exactly_one_of:
            result["oneOf"] = [{"required": [name]} for name in spec.exactly_one_of]
        if spec.requirements:
            result["allOf"] = [
                {
                    "if": {
                        "properties": {r.when_field: {"const": r.when_value}},
                        "required": [r.when_field],
                    },
                    "then": {"required": list(r.required)},
                }
                for r in spec.requirements
            ]
    else:  # pragma: no cover - every Spec subclass is handled above
        raise TypeError(spec)
    if spec.description and "description" not in result:
        result = {"description": spec.description, **result}
    return result


# ---------------------------------------------------------------------------------------------
# Field reference for contributors (CONTRIBUTING.md)


def _kind(spec: Spec) -> str:
    if isinstance(spec, Ref):
        return f"id of a {spec.target}"
    if isinstance(spec, Choice):
        return "one of " + ", ".join(f"`{name}`" for name in spec.names)
    if isinstance(spec, Integer):
        return "whole number"
    if isinstance(spec, ListOf):
        return f"list of {_kind(spec.item)}" if not isinstance(spec.item, Record) else "list"
    if isinstance(spec, Record):
        return "mapping"
    if isinstance(spec, Text):
        if spec.pattern:
            return spec.expectation
        return "Markdown" if spec.markdown else ("text" if spec.multiline else "one line of text")
    return ""  # pragma: no cover


def _rows(record: Record, prefix: str) -> list[str]:
    rows = []
    for field in record.fields:
        name = f"{prefix}{field.name}"
        description = field.spec.description.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{name}` | {'yes' if field.required else 'no'} | "
                    f"{_kind(field.spec).replace('|', '/')} | {description} |")
        if isinstance(field.spec, Record):
            rows += _rows(field.spec, f"{name}.")
        elif isinstance(field.spec, ListOf) and isinstance(field.spec.item, Record):
            rows += _rows(field.spec.item, f"{name}[].")
    return rows


def field_reference() -> str:
    """Markdown tables of every entry type's fields, generated from the declarations."""
    parts = []
    for entry_type in ENTRY_TYPES:
        parts.append(f"### {entry_type.plural_title}: `kb/{entry_type.folder}/<id>.yaml`\n")
        parts.append(entry_type.record.description + "\n")
        parts.append("| field | required | value | meaning |")
        parts.append("|---|---|---|---|")
        parts += _rows(entry_type.record, "")
        for requirement in entry_type.record.requirements:
            fields = ", ".join(f"`{name}`" for name in requirement.required)
            parts.append(f"\nWhen `{requirement.when_field}` is `{requirement.when_value}`, "
                         f"{fields} are required too.")
        parts.append("")
    return "\n".join(parts)
