"""Releases: one version and date, declared in pyproject.toml, and an annotated git tag.

`make release VERSION=x.y.z` (`python -m kbsite release x.y.z`) checks that the version is new
and that the working tree is clean, sets the version and date in pyproject.toml, regenerates
CITATION.cff and the about page's record from them, commits those files, and creates the
annotated tag `vx.y.z` whose message lists the changes to kb/ since the previous tag. Nothing
is pushed. Giving the current version tags it as it stands (for a first tag).

The text edits here are pure; the git commands are the only ones this module runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

VERSION = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
DATE = re.compile(r"[12]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_PROJECT_VERSION = re.compile(r'(?m)^(\[project\][^\[]*?^version = )"[^"]*"')
_RELEASE_DATE = re.compile(r'(?m)^(\[tool\.kbsite\.citation\][^\[]*?^date-released = )"[^"]*"')


class ReleaseError(Exception):
    """Why a release cannot be made; nothing was changed."""


def version_key(version: str) -> tuple[int, ...]:
    """A version's parts as numbers, for comparing `0.10.0` with `0.9.0`."""
    return tuple(int(part) for part in version.split("."))


def check_request(version: str, date: str, current: str) -> None:
    """Refuse a version that is not x.y.z or older than the current one, and a bad date."""
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"expected a version such as 1.2.0 (x.y.z), found `{version}`")
    if not DATE.fullmatch(date):
        raise ReleaseError(f"expected a date such as 2026-12-01 (YYYY-MM-DD), found `{date}`")
    if VERSION.fullmatch(current) and version_key(version) < version_key(current):
        raise ReleaseError(
            f"expected a version from {current} on (the current one), found {version}"
        )


def set_version(pyproject: str, version: str, date: str) -> str:
    """pyproject.toml with [project] version and [tool.kbsite.citation] date-released set."""
    text, versions = _PROJECT_VERSION.subn(rf'\g<1>"{version}"', pyproject, count=1)
    text, dates = _RELEASE_DATE.subn(rf'\g<1>"{date}"', text, count=1)
    if not (versions and dates):
        raise ReleaseError(
            "pyproject.toml: expected `version = ...` in [project] and `date-released = ...` "
            "in [tool.kbsite.citation]"
        )
    return text


def tag_message(version: str, date: str, changes: list[str], previous: str) -> str:
    """The annotated tag's message: the release, then the changes to kb/ since `previous`."""
    since = f"since {previous}" if previous else "so far"
    lines = [f"MLOps Principles Knowledge Base {version}, released {date}", ""]
    if changes:
        lines += [f"Changes to the knowledge base {since}:", ""]
        lines += [f"- {subject}" for subject in changes]
    else:
        lines.append(f"No changes to the knowledge base {since}.")
    return "\n".join(lines) + "\n"


def git(root: Path, *arguments: str) -> str:
    """Run git in root; its error output becomes a ReleaseError."""
    program = shutil.which("git")
    if program is None:
        raise ReleaseError("git is not installed: a release is a git tag")
    result = subprocess.run(  # noqa: S603 - git, found on PATH, with our own arguments
        [program, *arguments], cwd=root, capture_output=True, check=False
    )
    if result.returncode:
        error = result.stderr.decode("utf-8", "replace").strip()
        raise ReleaseError(f"git {' '.join(arguments)} failed: {error}")
    return result.stdout.decode("utf-8", "replace")


def previous_tag(root: Path) -> str:
    """The newest release tag reachable from HEAD, or empty."""
    tags = git(root, "tag", "--merged", "HEAD", "--list", "v*", "--sort=-v:refname").split()
    return next((t for t in tags if VERSION.fullmatch(t.removeprefix("v"))), "")


def kb_changes(root: Path, since: str) -> list[str]:
    """Subjects of the commits that changed kb/ since a tag (all of them without one)."""
    span = [f"{since}..HEAD"] if since else ["HEAD"]
    log = git(root, "log", "--no-merges", "--format=%s", *span, "--", "kb")
    return [line for line in log.splitlines() if line.strip()]
