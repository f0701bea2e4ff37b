"""Entry history from git: when each entry last changed, and recent changes to kb/.

Reading history is input, like reading kb/: only the loading side calls this. Outside a git
checkout (or without git) the site is simply built without dates.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kbsite.yamlio import visible_text

CHANGELOG_LIMIT = 100


@dataclass(frozen=True)
class Change:
    """One commit that touched kb/."""

    commit: str
    date: str
    subject: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class History:
    """Last-change dates by path (relative to the repository), and recent changes."""

    last_changed: dict[str, str] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()


def read_history(kb_dir: Path) -> History:
    """One `git log` over kb/; empty when kb/ is not in a git checkout.

    Paths are relative to the top of the checkout, as git prints them.
    """
    git = shutil.which("git")
    if git is None:
        return History()
    try:
        output = subprocess.run(  # noqa: S603 - git, found on PATH, with fixed arguments
            [git, "log", "--no-renames", "--format=%x00%H%x09%cs%x09%s", "--name-only", "--",
             "."], cwd=kb_dir, capture_output=True, check=True).stdout
    except (subprocess.CalledProcessError, OSError):
        return History()
    return parse_log(output.decode("utf-8", errors="replace"))


def parse_log(log: str) -> History:
    """Read `git log` output; commit messages are anyone's bytes, decoded with replacement."""
    last_changed: dict[str, str] = {}
    changes: list[Change] = []
    for record in log.split("\0")[1:]:
        header, _, names = record.partition("\n")
        commit, date, subject = [*header.split("\t", 2), "", ""][:3]
        subject = visible_text(subject)
        paths = tuple(name.strip() for name in names.splitlines()
                      if name.strip().endswith(".yaml") and "/schema/" not in name)
        if not paths:
            continue
        for path in paths:
            last_changed.setdefault(path, date)
        if len(changes) < CHANGELOG_LIMIT:
            changes.append(Change(commit[:12], date, subject, paths))
    return History(last_changed, tuple(changes))
