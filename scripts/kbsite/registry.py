"""The entry types, one row each: loading, checks, links, rendering and export iterate over these.

Adding an entry type means one row here, one model in `model.py` and one page template.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbsite.model import (
    Benefit,
    Citation,
    Entry,
    Guide,
    Limitation,
    Outcome,
    Principle,
    Question,
    Study,
)


@dataclass(frozen=True)
class EntryType:
    """A kind of entry: its folder under kb/, its model, where and how its pages are made."""

    name: str
    """Singular name, as entries and messages call it (`benefit`)."""
    folder: str
    """Folder under kb/ and under the site (`benefits`)."""
    model: type[Entry]
    section: str
    """Title of its section on the site and in the field reference."""
    export_name: str
    """Key of its list in api/kb.json."""
    template: str | None
    """Jinja template of each entry's page; None when entries have no page of their own."""
    page_folder: str
    """Folder of the entry pages under docs/ (or the page holding them, for anchors)."""
    generated_names: tuple[str, ...] = ("index",)
    """Names the site generates in `page_folder`: an entry id may not take one of them."""

    def page_path(self, entry_id: str) -> str:
        """Where the entry's page is, relative to the docs folder."""
        if self.template is None:
            return f"{self.page_folder}#{entry_id}"
        return f"{self.page_folder}/{entry_id}.md"

    @property
    def index_path(self) -> str:
        """The section's index page."""
        return f"{self.page_folder}/index.md"


ENTRY_TYPES: tuple[EntryType, ...] = (
    EntryType(
        "principle",
        "principles",
        Principle,
        "Principles",
        "principles",
        "principle.md.j2",
        "principles",
    ),
    EntryType("benefit", "benefits", Benefit, "Benefits", "benefits", "finding.md.j2", "benefits"),
    EntryType(
        "limitation",
        "limitations",
        Limitation,
        "Limitations",
        "limitations",
        "finding.md.j2",
        "limitations",
    ),
    EntryType(
        "outcome", "outcomes", Outcome, "Outcome groups", "outcomes", None, "evidence/index.md"
    ),
    EntryType(
        "citation", "citations", Citation, "Citations", "citations", "citation.md.j2", "citations"
    ),
    EntryType("study", "studies", Study, "Studies", "studies", "study.md.j2", "studies"),
    EntryType(
        "question", "questions", Question, "Open questions", "questions", None, "evidence/gaps.md"
    ),
    EntryType("guide", "guides", Guide, "Decision guides", "guides", "guide.md.j2", "guides"),
)
BY_NAME = {entry_type.name: entry_type for entry_type in ENTRY_TYPES}
BY_MODEL = {entry_type.model: entry_type for entry_type in ENTRY_TYPES}


def entry_type_of(entry: Entry) -> EntryType:
    """The registry row of an entry."""
    return BY_MODEL[type(entry)]
