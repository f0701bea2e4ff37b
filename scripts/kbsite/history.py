"""Entry history from git: when each entry last changed, and recent changes to kb/.

Reading history is input, like reading kb/: only the loading side calls this. Outside a git
checkout (or without git) the site is built without dates, and the build says so once.
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
    """Last-change dates by path (as the entries' source paths show it), and recent changes."""

    last_changed: dict[str, str] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()
    unavailable: str = ""
    """Why there is no history (no git, or kb/ not in a checkout); empty when there is."""


def read_history(kb_dir: Path, shown_as: str = "kb") -> History:
    """One `git log` over kb/; empty, saying why, when kb/ is not in a git checkout.

    Paths are `shown_as` (kb/ as issues show it) joined with the path inside kb/, so they
    match the entries' source paths wherever kb/ sits in the checkout.
    """
    git = shutil.which("git")
    if git is None:
        return History(unavailable="git is not installed: pages show no last-changed dates")
    try:
        output = subprocess.run(  # noqa: S603 - git, found on PATH, with fixed arguments
            [
                git,
                "log",
                "--no-renames",
                "--relative",
                "--format=%x00%H%x09%cs%x09%s",
                "--name-only",
                "--",
                ".",
            ],
            cwd=kb_dir,
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, OSError):
        return History(
            unavailable=f"{shown_as}/ is not in a git checkout (no .git): pages "
            "show no last-changed dates and the changelog is empty"
        )
    return parse_log(output.decode("utf-8", errors="replace"), shown_as)


def parse_log(log: str, shown_as: str = "kb") -> History:
    """Read `git log --relative` output (commit messages decoded with replacement).

    Commit messages are anyone's bytes: invisible characters in them are made visible.
    """
    last_changed: dict[str, str] = {}
    changes: list[Change] = []
    for record in log.split("\0")[1:]:
        header, _, names = record.partition("\n")
        commit, date, subject = [*header.split("\t", 2), "", ""][:3]
        subject = visible_text(subject)
        paths = tuple(
            f"{shown_as}/{name.strip()}"
            for name in names.splitlines()
            if name.strip().endswith(".yaml") and not name.startswith("schema/")
        )
        if not paths:
            continue
        for path in paths:
            last_changed.setdefault(path, date)
        if len(changes) < CHANGELOG_LIMIT:
            changes.append(Change(commit[:12], date, subject, paths))
    return History(last_changed, tuple(changes))
