"""Writing outputs: the only stage that changes files on disk.

Writes are atomic (a temporary file renamed into place), skip files whose content is already
right (so `mkdocs serve` is not woken for nothing), and never touch a file the tool did not
write itself: a manifest records what it wrote last time.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".kbsite-manifest"


@dataclass(frozen=True)
class WriteReport:
    """What a write changed."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


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


def write_tree(outputs: dict[str, str | bytes], out_dir: Path) -> WriteReport:
    """Make out_dir hold exactly these outputs (plus files it never wrote, left alone)."""
    manifest_path = out_dir / MANIFEST
    previous = set()
    if manifest_path.exists():
        previous = set(manifest_path.read_text(encoding="utf-8").split("\n")) - {""}
    foreign = sorted(name for name in outputs if name not in previous and (out_dir / name).exists())
    if foreign:
        listed = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise UnsafeWriteError(
            f"{out_dir}: expected only files this tool wrote, found {len(foreign)} it did not "
            f"write: {listed}\n    hint: choose an empty output folder; hand-written files are "
            "never overwritten"
        )
    written, unchanged = [], 0
    for name, content in sorted(outputs.items()):
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = out_dir / name
        if target.exists() and target.read_bytes() == data:
            unchanged += 1
            continue
        _atomic_write(target, data)
        written.append(name)
    removed = sorted(previous - set(outputs))
    for name in removed:
        (out_dir / name).unlink(missing_ok=True)
    manifest = "\n".join(sorted(outputs)) + "\n"
    if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != manifest:
        _atomic_write(manifest_path, manifest.encode("utf-8"))
    return WriteReport(tuple(written), tuple(removed), unchanged)


def write_new_files(files: dict[str, str], root: Path) -> tuple[str, ...]:
    """Create new files (all or none); refuse if any already exists."""
    existing = sorted(name for name in files if (root / name).exists())
    if existing:
        raise UnsafeWriteError(f"{existing[0]}: expected a new file, found one already there\n"
                               "    hint: existing entries are never overwritten; edit it instead")
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
