"""Reading kb/: the only stage that touches the input files.

Every file is read and checked against its model before anything else happens, and every
problem is collected, so a contributor sees all of them in one run. Which files are read, and
how, is `sources` (no links, no devices, bounded sizes); what they must hold is `validation`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kbsite.errors import Issue
from kbsite.limits import MAX_FILE_BYTES
from kbsite.model import Entry, KnowledgeBase
from kbsite.registry import ENTRY_TYPES, EntryType
from kbsite.sources import decode, discover, display, read_text
from kbsite.validation import as_today, load_entry
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
    return LoadResult(knowledge_base(entries), tuple(issues), file_ids)


def knowledge_base(entries: dict[str, list[Entry]]) -> KnowledgeBase:
    """The entries of each type (by type name) as a knowledge base, sorted by id."""
    return KnowledgeBase(
        {t.name: tuple(sorted(entries.get(t.name, ()), key=lambda e: e.id)) for t in ENTRY_TYPES}
    )


@dataclass(frozen=True)
class EarlierFile:
    """One entry file as an earlier version of kb/ held it."""

    entry: Entry | None
    """The entry, when the file is valid under today's model (retired fields dropped)."""
    issues: tuple[Issue, ...]
    data: Any
    """The YAML as plain values, valid or not (None when it could not be read)."""


def read_earlier_file(
    entry_type: EntryType, raw: bytes | None, shown: str, stem: str, *, validate: bool = True
) -> EarlierFile:
    """An entry file of an earlier version of kb/, read from its bytes (which git gave).

    Checked as a file of today's kb/ is, after dropping the fields the model has retired
    (they moved elsewhere, so the version means the same without them) and standing in for
    the fields it introduced since (`validation.as_today`); with validate False
    only parsed, for its plain values. Pure.
    """
    if raw is None:
        message = f"expected an entry file of at most {MAX_FILE_BYTES // 1024} KiB, found more"
        return EarlierFile(None, (Issue(shown, 0, 0, message),), None)
    text, issues = decode(raw, shown)
    if text is None:
        return EarlierFile(None, tuple(issues), None)
    document = parse_document(text)
    if document.problems:
        return EarlierFile(None, tuple(_issues_of_document(document, shown)), None)
    if not validate:
        return EarlierFile(None, (), document.data)
    current = replace(document, data=as_today(entry_type.model, document.data))
    entry, problems = load_entry(entry_type, current, shown, stem)
    return EarlierFile(entry, tuple(problems), document.data)


def earlier_kb(
    files: Iterable[tuple[EntryType, str, EarlierFile]],
) -> LoadResult:
    """An earlier version of kb/ from its files (type, stem, file), as `load_kb` gives it."""
    entries: dict[str, list[Entry]] = {t.name: [] for t in ENTRY_TYPES}
    ids: dict[str, set[str]] = {t.name: set() for t in ENTRY_TYPES}
    issues: list[Issue] = []
    for entry_type, stem, earlier in files:
        ids[entry_type.name].add(stem)
        issues += earlier.issues
        if earlier.entry is not None:
            entries[entry_type.name].append(earlier.entry)
    file_ids = {name: frozenset(found) for name, found in ids.items()}
    return LoadResult(knowledge_base(entries), tuple(issues), file_ids)


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
