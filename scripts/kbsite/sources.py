"""Finding and reading the files under kb/, which are data from strangers.

A pull request can put anything in kb/: a symbolic link to a file outside the repository or to
/dev/zero, a named pipe that blocks whoever opens it, a socket, a file of gigabytes. Nothing here
follows a link or opens anything but a regular file: every entry is checked with lstat before it
is opened, opened with O_NOFOLLOW | O_NONBLOCK, checked again with fstat, and read up to a size
limit. Each refusal names the path and the reason.
"""

from __future__ import annotations

import difflib
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from kbsite.errors import Issue
from kbsite.limits import MAX_FILE_BYTES, MAX_FILES_PER_FOLDER
from kbsite.yamlio import refused_kind

ENTRY_SUFFIX = ".yaml"
IGNORED_NAMES = ("README.md",)
"""Regular files allowed beside the entries (hidden files are ignored too)."""

_LINK_HINT = (
    "entries must be real files inside the repository; replace the link with the file "
    "it points to, or delete it (an editor's lock file such as .#name.yaml goes away "
    "when the file is saved and closed)"
)


@dataclass
class Discovery:
    """The entry files found under kb/, by folder, and every problem with the tree itself."""

    entries: dict[str, list[Path]] = field(default_factory=dict)
    ids: dict[str, set[str]] = field(default_factory=dict)
    """The stem of every `.yaml` name in each folder, refused or not: references to a refused
    entry are then not reported a second time as dangling."""
    issues: list[Issue] = field(default_factory=list)


def display(path: Path, root: Path) -> str:
    """A path as reports show it: relative to root, with forward slashes.

    File names are anyone's bytes: undecodable ones are shown as U+FFFD, and invisible or
    control characters as `<U+202E>`, so a report can always be printed and cannot mislead.
    """
    try:
        text = path.relative_to(root).as_posix()
    except ValueError:
        text = path.as_posix()
    return shown_name(text)


def shown_name(text: str) -> str:
    """A file name as reports show it (see display)."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(f"<U+{ord(c):04X}>" if refused_kind(c) else c for c in text)


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _refusal(path: Path, root: Path, mode: int) -> Issue:
    kind = _kind(mode)
    if stat.S_ISLNK(mode):
        return Issue(
            display(path, root),
            0,
            0,
            f"expected a regular file or folder, found {kind}",
            _LINK_HINT,
        )
    return Issue(
        display(path, root),
        0,
        0,
        f"expected a regular file or folder, found {kind}",
        "only plain files and folders may be under kb/; delete it",
    )


def _scan(folder: Path, root: Path, issues: list[Issue]) -> list[tuple[Path, int]]:
    """The entries of one folder with their lstat modes, sorted, never following a link."""
    found: list[tuple[Path, int]] = []
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if len(found) >= MAX_FILES_PER_FOLDER:
                    issues.append(
                        Issue(
                            display(folder, root),
                            0,
                            0,
                            f"expected at most {MAX_FILES_PER_FOLDER} files in a "
                            "folder, found more",
                            "split the folder",
                        )
                    )
                    break
                found.append((Path(item.path), item.stat(follow_symlinks=False).st_mode))
    except OSError as error:
        issues.append(
            Issue(
                display(folder, root), 0, 0, f"expected a readable folder, found: {error.strerror}"
            )
        )
    return sorted(found)


def tree_issues(folder: Path, root: Path) -> list[Issue]:
    """A refusal for every link and special file below folder (docs/ is published as it is)."""
    issues: list[Issue] = []
    _check_tree(folder, root, issues)
    return issues


def _check_tree(folder: Path, root: Path, issues: list[Issue]) -> None:
    """Refuse every link and special file anywhere below folder, hidden ones included."""
    pending = [folder]
    while pending:
        for path, mode in _scan(pending.pop(), root, issues):
            if stat.S_ISDIR(mode):
                pending.append(path)
            elif not stat.S_ISREG(mode):
                issues.append(_refusal(path, root, mode))


def discover(
    kb_dir: Path, root: Path, folders: tuple[str, ...], support_folders: tuple[str, ...]
) -> Discovery:
    """The entry files of each entry folder; refusals for everything that is not plain data."""
    found = Discovery(entries={name: [] for name in folders}, ids={name: set() for name in folders})
    try:
        top = os.lstat(kb_dir)
    except OSError:
        found.issues.append(
            Issue(
                display(kb_dir, root),
                0,
                0,
                "expected a knowledge-base folder, found nothing at this path",
            )
        )
        return found
    if not stat.S_ISDIR(top.st_mode):
        found.issues.append(
            Issue(
                display(kb_dir, root),
                0,
                0,
                f"expected a knowledge-base folder, found {_kind(top.st_mode)}"
                if not stat.S_ISREG(top.st_mode)
                else "expected a knowledge-base folder, found a file",
                _LINK_HINT if stat.S_ISLNK(top.st_mode) else "",
            )
        )
        return found
    known = folders + support_folders
    for path, mode in _scan(kb_dir, root, found.issues):
        if not stat.S_ISDIR(mode):
            if not stat.S_ISREG(mode):
                found.issues.append(_refusal(path, root, mode))
            continue
        if path.name in folders:
            _entry_folder(path, root, found)
            continue
        _check_tree(path, root, found.issues)
        if path.name in known or path.name.startswith("."):
            continue
        close = difflib.get_close_matches(path.name, known, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"entry folders are {', '.join(known)}"
        found.issues.append(
            Issue(
                display(path, root),
                0,
                0,
                f"expected an entry folder, found unknown folder `{shown_name(path.name)}`",
                hint,
            )
        )
    return found


def _entry_folder(folder: Path, root: Path, found: Discovery) -> None:
    entries = found.entries[folder.name]
    for path, mode in _scan(folder, root, found.issues):
        if path.suffix == ENTRY_SUFFIX and not path.name.startswith("."):
            found.ids[folder.name].add(path.stem)
        if stat.S_ISDIR(mode):
            _check_tree(path, root, found.issues)
        elif not stat.S_ISREG(mode):
            found.issues.append(_refusal(path, root, mode))
            continue
        if path.name.startswith(".") or path.name in IGNORED_NAMES:
            continue
        if stat.S_ISREG(mode) and path.suffix == ENTRY_SUFFIX:
            entries.append(path)
            continue
        is_folder = stat.S_ISDIR(mode)
        found.issues.append(
            Issue(
                display(path, root),
                0,
                0,
                f"expected only {ENTRY_SUFFIX} entry files in {folder.name}/, found "
                f"{'the folder ' if is_folder else ''}`{shown_name(path.name)}`",
                f"entry folders hold no subfolders; move {shown_name(path.name)}/ out of kb/"
                if is_folder
                else f"rename it to {shown_name(path.stem)}{ENTRY_SUFFIX} or move it out",
            )
        )


def read_bytes(
    path: Path, shown: str, limit: int = MAX_FILE_BYTES
) -> tuple[bytes | None, list[Issue]]:
    """The bytes of a regular file, at most limit; never follows a link, never blocks."""

    def refuse(message: str, hint: str = "") -> tuple[None, list[Issue]]:
        return None, [Issue(shown, 0, 0, message, hint)]

    try:
        before = os.lstat(path)
    except OSError as error:
        return refuse(f"expected a readable file, found: {error.strerror}")
    if not stat.S_ISREG(before.st_mode):
        issue = _refusal(path, Path("/"), before.st_mode)
        return refuse(issue.message, issue.hint)
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_NOCTTY", 0)
    )
    try:
        handle = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return refuse("expected a regular file or folder, found a symbolic link", _LINK_HINT)
        return refuse(f"expected a readable file, found: {error.strerror}")
    try:
        after = os.fstat(handle)
        if not stat.S_ISREG(after.st_mode):  # swapped between lstat and open
            issue = _refusal(path, Path("/"), after.st_mode)
            return refuse(issue.message, issue.hint)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return refuse(f"expected a readable file, found: {error.strerror}")
    finally:
        os.close(handle)
    if size > limit:
        return refuse(
            f"expected an entry file of at most {limit // 1024} KiB, found a larger file",
            "entries are short; split long text into several entries",
        )
    return b"".join(chunks), []


def decode(raw: bytes, shown: str) -> tuple[str | None, list[Issue]]:
    """UTF-8 text without a byte-order mark, or the first bad byte by line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
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


def read_text(path: Path, shown: str) -> tuple[str | None, list[Issue]]:
    """An entry file's text: a regular file within the size limit, in UTF-8."""
    raw, issues = read_bytes(path, shown)
    if raw is None:
        return None, issues
    return decode(raw, shown)
