"""Writing outputs: the only stage that changes files on disk.

Writes are atomic (a temporary file renamed into place), skip files whose content is already
right (so `mkdocs serve` is not woken for nothing), and never touch a file the tool did not
write itself: a manifest records the path and SHA-256 of what it wrote last time, and a file is
replaced or deleted only when it lies inside the output folder (checked after resolving paths,
never through a link) and still holds exactly what was written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".kbsite-manifest"
MANIFEST_HEADER = "# kbsite: the SHA-256 and path of every file it wrote here; do not edit"
MANIFEST_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class WriteReport:
    """What a write changed."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    kept: tuple[str, ...] = ()
    """Files written before but changed since (by hand), or listed in the manifest at a path
    outside the output folder: never deleted."""


class UnsafeWriteError(Exception):
    """Raised before anything is written when an output would replace a file not made here."""


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inside(root: Path, name: str) -> Path | None:
    """root/name if it lies inside root without passing through a link, else None.

    root must be resolved. A name that is absolute, has `..` or `.` parts, or reaches a
    symbolic link on the way (which could point anywhere) is not inside.
    """
    if not name or "\0" in name or "\\" in name:
        return None
    parts = PurePosixPath(name).parts
    if (
        PurePosixPath(name).is_absolute()
        or any(p in ("..", ".") for p in parts)
        or (name != "/".join(parts))
    ):
        return None
    target = root.joinpath(*parts)
    probe = root
    for part in parts:
        probe = probe / part
        try:
            mode = os.lstat(probe).st_mode
        except FileNotFoundError:
            break  # the rest does not exist yet: nothing to follow
        if stat.S_ISLNK(mode):
            return None
    try:
        target.resolve().relative_to(root)
    except ValueError:
        return None
    return target


def _regular_bytes(path: Path) -> bytes | None:
    """The content of a regular file (never through a link), or None."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return path.read_bytes()
    except OSError:
        return None


def read_manifest(out_dir: Path) -> dict[str, str]:
    """What this tool wrote into out_dir last time: path -> SHA-256 of the content it wrote.

    Lines that are not a digest and a path (an older or edited manifest) are ignored, so such
    files are never deleted or overwritten.
    """
    path = out_dir / MANIFEST
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or os.lstat(path).st_size > MANIFEST_LIMIT:
            return {}
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    recorded: dict[str, str] = {}
    for line in text.split("\n"):
        digest, _, name = line.partition(" ")
        if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest) and name:
            recorded[name] = digest
    return recorded


def write_tree(outputs: Mapping[str, str | bytes], out_dir: Path) -> WriteReport:
    """Make out_dir hold exactly these outputs (plus files it never wrote, left alone).

    Only files this tool wrote, unchanged since, inside out_dir, are ever replaced or deleted.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    previous = read_manifest(root)
    data = {
        name: content.encode("utf-8") if isinstance(content, str) else content
        for name, content in outputs.items()
    }
    outside = sorted(name for name in data if inside(root, name) is None)
    if outside:
        raise UnsafeWriteError(
            f"{out_dir}: expected outputs inside the folder, found {outside[0]} leading out of "
            "it\n    hint: an output path passes through a symbolic link; remove the link"
        )
    targets = {name: inside(root, name) or root for name in data}
    foreign = []
    for name, target in targets.items():
        current = _regular_bytes(target)
        if current is None and not os.path.lexists(target):
            continue
        if current == data[name] or (
            current is not None and previous.get(name) == _digest(current)
        ):
            continue
        foreign.append(name)
    foreign.sort()
    if foreign:
        listed = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise UnsafeWriteError(
            f"{out_dir}: expected only files this tool wrote, found {len(foreign)} it did not "
            f"write: {listed}\n    hint: choose an empty output folder; hand-written files are "
            "never overwritten"
        )
    written, unchanged = [], 0
    for name in sorted(data):
        if _regular_bytes(targets[name]) == data[name]:
            unchanged += 1
            continue
        _atomic_write(targets[name], data[name])
        written.append(name)
    removed, kept = [], []
    for name in sorted(set(previous) - set(data)):
        old = inside(root, name)
        current = _regular_bytes(old) if old is not None else None
        if old is not None and current is not None and _digest(current) == previous[name]:
            old.unlink()
            removed.append(name)
        elif old is None or os.path.lexists(old):
            kept.append(name)
    manifest = (
        "\n".join([MANIFEST_HEADER, *(f"{_digest(data[name])} {name}" for name in sorted(data))])
        + "\n"
    )
    manifest_path = root / MANIFEST
    if _regular_bytes(manifest_path) != manifest.encode("utf-8"):
        _atomic_write(manifest_path, manifest.encode("utf-8"))
    return WriteReport(tuple(written), tuple(removed), unchanged, tuple(kept))


def write_new_files(files: dict[str, str], root: Path) -> tuple[str, ...]:
    """Create new files (all or none); refuse if any already exists."""
    existing = sorted(name for name in files if (root / name).exists())
    if existing:
        raise UnsafeWriteError(
            f"{existing[0]}: expected a new file, found one already there\n"
            "    hint: existing entries are never overwritten; edit it instead"
        )
    for name, text in sorted(files.items()):
        _atomic_write(root / name, text.encode("utf-8"))
    return tuple(sorted(files))


def write_changed_files(files: dict[str, str], folder: Path) -> tuple[str, ...]:
    """Write files whose content differs (atomically); for generated files kept in git."""
    written = []
    for name, text in sorted(files.items()):
        target = folder / name
        data = text.encode("utf-8")
        if not target.exists() or target.read_bytes() != data:
            _atomic_write(target, data)
            written.append(name)
    return tuple(written)


def write_generated_file(path: Path, text: str, header: str) -> bool:
    """Write a generated file kept in git (CITATION.cff); True when it changed.

    A file there that does not begin with the generated header was written by hand: it is
    never overwritten; the error says where its content belongs.
    """
    data = text.encode("utf-8")
    current = _regular_bytes(path)
    if current == data:
        return False
    if current is None and os.path.lexists(path):
        raise UnsafeWriteError(
            f"{path}: expected a regular file or none, found something else\n"
            "    hint: remove it; the file is generated"
        )
    if current is not None and not current.decode("utf-8", "replace").startswith(header):
        first = header.splitlines()[0]
        raise UnsafeWriteError(
            f"{path}: expected the generated file (first line `{first}`), found a "
            "hand-written one; it was left alone\n    hint: put its changes where the "
            "header says, delete the file, and run the command again"
        )
    _atomic_write(path, data)
    return True


def staging_folder(target: Path) -> Path:
    """Where a new version of target is built before it replaces target."""
    return target.parent / f".{target.name}.kbsite-new"


def replace_folder(staged: Path, target: Path) -> None:
    """Swap a fully built folder in for target; the old one goes only once the new one is in."""
    old = target.parent / f".{target.name}.kbsite-old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.lexists(target):
        target.rename(old)
    try:
        staged.rename(target)
    except OSError:
        if os.path.lexists(old):
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
