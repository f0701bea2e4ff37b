"""Reading kb/: the only stage that touches the input files.

Every file is read and checked against its schema before anything else happens, and every
problem is collected, so a contributor sees all of them in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kbsite.errors import Issue
from kbsite.model import Entry, KnowledgeBase, SourceFile, build_entry
from kbsite.schema import ENTRY_TYPES, ID_PATTERN, Record
from kbsite.sources import ENTRY_SUFFIX, discover, display, read_text
from kbsite.validate import check
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
    folders = tuple(t.folder for t in ENTRY_TYPES)
    found = discover(kb_dir, root, folders, SUPPORT_FOLDERS)
    issues = list(found.issues)
    file_ids = {t.name: frozenset(found.ids.get(t.folder, ())) for t in ENTRY_TYPES}
    for entry_type in ENTRY_TYPES:
        for path in found.entries.get(entry_type.folder, []):
            shown = display(path, root)
            entry, problems = _load_entry(entry_type.name, entry_type.record, path, shown)
            issues += problems
            if entry is not None:
                entries[entry_type.name].append(entry)
    kb = KnowledgeBase(
        **{t.folder: tuple(sorted(entries[t.name], key=lambda e: e.id)) for t in ENTRY_TYPES}
    )
    return LoadResult(kb, tuple(issues), file_ids)


def _load_entry(
    type_name: str, record: Record, path: Path, shown: str
) -> tuple[Entry | None, list[Issue]]:
    text, issues = read_text(path, shown)
    if text is None:
        return None, issues
    document = parse_document(text)
    issues += _issues_of_document(document, shown)
    if document.problems:
        return None, issues
    if not isinstance(document.data, dict):
        found = "an empty file" if document.data is None else "a single value or a list"
        issues.append(
            Issue(
                shown,
                1,
                1,
                f"expected a mapping of {record.name} fields, found {found}",
                "start with `id: <file name>` on the first line",
            )
        )
        return None, issues
    for violation in check(record, document.data):
        position = document.position(violation.path, key=violation.at_key)
        issues.append(
            Issue(shown, position.line, position.column, violation.message, violation.hint)
        )
    stem = path.stem
    if not re.fullmatch(ID_PATTERN, stem):
        issues.append(
            Issue(
                shown,
                0,
                0,
                f"expected a kebab-case file name, found `{path.name}`",
                "file names are entry ids: lower-case words joined by hyphens",
            )
        )
    entry_id = document.data.get("id")
    if isinstance(entry_id, str) and entry_id != stem:
        position = document.position(("id",))
        issues.append(
            Issue(
                shown,
                position.line,
                position.column,
                f"expected the id to equal the file name `{stem}`, found `{entry_id}`",
                f"rename the file to {entry_id}{ENTRY_SUFFIX} or set `id: {stem}`",
            )
        )
    if issues:
        return None, issues
    return build_entry(type_name, document.data, SourceFile(shown, document)), issues
