"""Reading kb/: the only stage that touches the input files.

Every file is read and checked against its model before anything else happens, and every
problem is collected, so a contributor sees all of them in one run. Which files are read, and
how, is `sources` (no links, no devices, bounded sizes); what they must hold is `validation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbsite.errors import Issue
from kbsite.model import Entry, KnowledgeBase
from kbsite.registry import ENTRY_TYPES, EntryType
from kbsite.sources import discover, display, read_text
from kbsite.validation import load_entry
from kbsite.yamlio import Document, parse_document

SUPPORT_FOLDERS = ("schema",)
"""Folders under kb/ that hold no entries."""


@dataclass(frozen=True)
class LoadResult:
    """Entries that passed per-file checks, and every problem found."""

    kb: KnowledgeBase
    issues: tuple[Issue, ...]
    file_ids: dict[str, frozenset[str]]
    """Ids of every entry file found, valid or not, by type; references to an invalid entry
    are then not reported a second time as dangling."""


def _issues_of_document(document: Document, shown: str) -> list[Issue]:
    return [
        Issue(shown, p.position.line, p.position.column, p.message, p.hint)
        for p in document.problems
    ]


def load_kb(kb_dir: Path, root: Path | None = None) -> LoadResult:
    """Read every entry under kb_dir; paths in issues are shown relative to root."""
    root = root or kb_dir.parent
    entries: dict[str, list[Entry]] = {t.name: [] for t in ENTRY_TYPES}
    found = discover(kb_dir, root, tuple(t.folder for t in ENTRY_TYPES), SUPPORT_FOLDERS)
    issues = list(found.issues)
    file_ids = {t.name: frozenset(found.ids.get(t.folder, ())) for t in ENTRY_TYPES}
    for entry_type in ENTRY_TYPES:
        for path in found.entries.get(entry_type.folder, []):
            entry, problems = _load_entry(entry_type, path, display(path, root))
            issues += problems
            if entry is not None:
                entries[entry_type.name].append(entry)
    kb = KnowledgeBase(
        {t.name: tuple(sorted(entries[t.name], key=lambda e: e.id)) for t in ENTRY_TYPES}
    )
    return LoadResult(kb, tuple(issues), file_ids)


def _load_entry(entry_type: EntryType, path: Path, shown: str) -> tuple[Entry | None, list[Issue]]:
    text, issues = read_text(path, shown)
    if text is None:
        return None, issues
    document = parse_document(text)
    issues += _issues_of_document(document, shown)
    if document.problems:
        return None, issues
    entry, problems = load_entry(entry_type, document, shown, path.stem)
    return entry, issues + problems
