"""Problems found in the knowledge base, reported compiler-style so editors can jump to them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_NUMBER = re.compile(r"([0-9]+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders numbers inside text by value: `authors.4` before `authors.13`."""
    return tuple(
        (1, int(part)) if part.isdigit() else (0, part) for part in _NUMBER.split(text) if part
    )


@functools.total_ordering
@dataclass(frozen=True)
class Issue:
    """One problem in one file.

    Ordered by (path, line, column, message), numbers in paths and messages by value, so
    reports list problems in reading order.
    """

    path: str
    """Path relative to the repository root, with forward slashes."""
    line: int
    """1-based line; 0 when the problem concerns the whole file."""
    column: int
    """1-based column; 0 when unknown."""
    message: str
    """What was expected and what was found."""
    hint: str = ""
    """How to fix it, when a fix is known."""

    def _key(self) -> tuple[object, ...]:
        return (
            natural_key(self.path),
            self.line,
            self.column,
            natural_key(self.message),
            self.hint,
        )

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Issue):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        location = self.path
        if self.line:
            location += f":{self.line}"
            if self.column:
                location += f":{self.column}"
        text = f"{location}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class KBError(Exception):
    """Raised once, after all checks ran, carrying every problem found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(sorted(set(issues)))
        super().__init__(format_report(self.issues))


def format_report(issues: Iterable[Issue]) -> str:
    """Render issues followed by a one-line summary, as the command line prints them."""
    issues = sorted(set(issues))
    files = {issue.path for issue in issues}
    lines = [str(issue) for issue in issues]
    noun = "error" if len(issues) == 1 else "errors"
    where = "file" if len(files) == 1 else "files"
    lines.append(f"{len(issues)} {noun} in {len(files)} {where}")
    return "\n".join(lines)
