"""Reading kb/: the only stage that touches the input files.

Every file is read and checked against its schema before anything else happens, and every
problem is collected, so a contributor sees all of them in one run.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from kbsite.errors import Issue
from kbsite.model import Entry, KnowledgeBase
from kbsite.registry import ENTRY_TYPES, EntryType
from kbsite.validation import ENTRY_SUFFIX, load_entry
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


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, shown: str) -> tuple[str | None, list[Issue]]:
    """Read a file as UTF-8, reporting the first undecodable byte by line and column."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            Issue(
                shown,
                line,
                column,
                f"expected UTF-8 text, found the byte 0x{raw[error.start]:02X}",
                "save the file as UTF-8 (most editors offer this under 'encoding')",
            )
        ]
    return text.removeprefix("\ufeff"), []


def _issues_of_document(document: Document, shown: str) -> list[Issue]:
    return [
        Issue(shown, p.position.line, p.position.column, p.message, p.hint)
        for p in document.problems
    ]


def load_kb(kb_dir: Path, root: Path | None = None) -> LoadResult:
    """Read every entry under kb_dir; paths in issues are shown relative to root."""
    root = root or kb_dir.parent
    issues: list[Issue] = []
    entries: dict[str, list[Entry]] = {t.name: [] for t in ENTRY_TYPES}
    if not kb_dir.is_dir():
        issue = Issue(
            _display(kb_dir, root),
            0,
            0,
            "expected a knowledge-base folder, found nothing at this path",
        )
        return LoadResult(KnowledgeBase(), (issue,), {})
    issues += _check_layout(kb_dir, root)
    file_ids: dict[str, frozenset[str]] = {}
    for entry_type in ENTRY_TYPES:
        folder = kb_dir / entry_type.folder
        paths = sorted(folder.iterdir()) if folder.is_dir() else []
        file_ids[entry_type.name] = frozenset(p.stem for p in paths if p.suffix == ENTRY_SUFFIX)
        for path in paths:
            shown = _display(path, root)
            if path.is_dir() or path.suffix != ENTRY_SUFFIX:
                if path.name.startswith(".") or path.name == "README.md":
                    continue
                issues.append(
                    Issue(
                        shown,
                        0,
                        0,
                        f"expected only {ENTRY_SUFFIX} entry files "
                        f"in {entry_type.folder}/, found "
                        f"{'the folder ' if path.is_dir() else ''}`{path.name}`",
                        f"entry folders hold no subfolders; move {path.name}/ out of kb/"
                        if path.is_dir() else
                        f"rename it to {path.stem}{ENTRY_SUFFIX} or move it out",
                    )
                )
                continue
            entry, problems = _load_entry(entry_type, path, shown)
            issues += problems
            if entry is not None:
                entries[entry_type.name].append(entry)
    kb = KnowledgeBase(
        {t.name: tuple(sorted(entries[t.name], key=lambda e: e.id)) for t in ENTRY_TYPES}
    )
    return LoadResult(kb, tuple(issues), file_ids)


def _check_layout(kb_dir: Path, root: Path) -> list[Issue]:
    known = tuple(t.folder for t in ENTRY_TYPES) + SUPPORT_FOLDERS
    issues = []
    for path in sorted(kb_dir.iterdir()):
        if path.name.startswith(".") or not path.is_dir() or path.name in known:
            continue
        close = difflib.get_close_matches(path.name, known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"entry folders are {', '.join(known)}"
        issues.append(
            Issue(
                _display(path, root),
                0,
                0,
                f"expected an entry folder, found unknown folder `{path.name}`",
                hint,
            )
        )
    return issues


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
