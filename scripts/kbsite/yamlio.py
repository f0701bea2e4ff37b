"""Safe YAML reading that keeps line numbers and refuses what PyYAML would silently accept.

Entry files come from strangers, so the text is checked before YAML sees it (no invisible,
direction-changing or control characters) and the YAML is read as a flat stream of parser
events, never composed recursively: nesting, size, tags and aliases are bounded or refused where
they are written, and no input can end in RecursionError, MemoryError or a traceback. Values come
back as plain Python data with the position of every key and value.

PyYAML would keep the last of two duplicate keys, expand aliases without limit and build any
object a `!!python/...` tag names; all three are refused here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from kbsite.limits import MAX_DEPTH, MAX_LIST_ITEMS, MAX_NODES, MAX_PROBLEMS_PER_FILE

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]
"""Where a value sits inside a document, for example ("evidence", 0, "locator")."""

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_CONSTRUCTED = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class YamlDate(str):
    """Text that YAML would read as a date (an unquoted `2024-03-19`).

    Dates stay text, as the schema has no date fields; the type tells a checker that expected a
    number (a year) that the contributor wrote a date, so its hint can say so.
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column (slotted: a document records one per key and value)."""

    line: int
    column: int


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading, before any schema applies."""

    position: Position
    message: str
    hint: str = ""


@dataclass
class Document:
    """One YAML document as plain values, with the position of every key and value."""

    data: Any
    value_positions: dict[Path_, Position] = field(default_factory=dict)
    key_positions: dict[Path_, Position] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def position(self, path: Path_, *, key: bool = False) -> Position:
        """The position of the value (or key) at path, else of its nearest recorded ancestor."""
        table = self.key_positions if key else self.value_positions
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.value_positions:
                return self.value_positions[probe]
            probe = probe[:-1]
        return self.value_positions.get((), Position(1, 1))


def parse_document(text: str) -> Document:
    """Parse one YAML document; every problem comes back in the document, never as an exception."""
    text = text.removeprefix("\ufeff")
    problems = character_problems(text)
    if problems:
        return Document(data=None, problems=problems)
    return _Builder(text).run()


# --- characters ---------------------------------------------------------------------------

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE_LETTERS = frozenset("\u034f\u115f\u1160\u3164\uffa0")
"""Not format characters, but shown as nothing: the combining grapheme joiner, Hangul fillers."""
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
    "Cs": "a lone surrogate",
}
_SUSPECT = re.compile(r"[^\t\n\r\x20-\x7e]|\r(?!\n)")
"""Every character outside printable ASCII, tab and CRLF/LF line ends; most text has few."""

_CONTROL_NAMES = (
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "ALERT",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
)
_C1_NAMES = (
    "PADDING CHARACTER",
    "HIGH OCTET PRESET",
    "BREAK PERMITTED HERE",
    "NO BREAK HERE",
    "INDEX",
    "NEXT LINE",
    "START OF SELECTED AREA",
    "END OF SELECTED AREA",
    "CHARACTER TABULATION SET",
    "CHARACTER TABULATION WITH JUSTIFICATION",
    "LINE TABULATION SET",
    "PARTIAL LINE FORWARD",
    "PARTIAL LINE BACKWARD",
    "REVERSE LINE FEED",
    "SINGLE SHIFT TWO",
    "SINGLE SHIFT THREE",
    "DEVICE CONTROL STRING",
    "PRIVATE USE ONE",
    "PRIVATE USE TWO",
    "SET TRANSMIT STATE",
    "CANCEL CHARACTER",
    "MESSAGE WAITING",
    "START OF GUARDED AREA",
    "END OF GUARDED AREA",
    "START OF STRING",
    "SINGLE GRAPHIC CHARACTER INTRODUCER",
    "SINGLE CHARACTER INTRODUCER",
    "CONTROL SEQUENCE INTRODUCER",
    "STRING TERMINATOR",
    "OPERATING SYSTEM COMMAND",
    "PRIVACY MESSAGE",
    "APPLICATION PROGRAM COMMAND",
)


def character_name(char: str) -> str:
    """`U+200B ZERO WIDTH SPACE`; control characters, which have no name, by their alias."""
    code = ord(char)
    name = unicodedata.name(char, "")
    if not name:
        if code < 0x20:
            name = _CONTROL_NAMES[code]
        elif code == 0x7F:
            name = "DELETE"
        elif 0x80 <= code <= 0x9F:
            name = _C1_NAMES[code - 0x80]
    return f"U+{code:04X} {name}".rstrip()


def refused_kind(char: str) -> str:
    """What kind of refused character this is, or '' when it is an ordinary one."""
    if char in _BIDI_CONTROLS:
        return "a direction-changing character"
    if char in _INVISIBLE_LETTERS:
        return "an invisible character"
    return _REFUSED_CATEGORIES.get(unicodedata.category(char), "")


def visible_text(text: str) -> str:
    """Text with every refused character replaced by U+FFFD, for text that is not an entry's."""
    return _SUSPECT.sub(
        lambda m: "\ufffd" if m.group(0) == "\r" or refused_kind(m.group(0)) else m.group(0), text
    )


def character_problems(text: str) -> list[YamlProblem]:
    """Every invisible, direction-changing or control character, by line and column.

    Such characters can hide or reorder text for a reviewer ("trojan source") while the site
    shows it; a C1 NEXT LINE even ends a YAML line. Legitimate non-ASCII text passes. Linear in
    the text: each character is looked at once.
    """
    problems: list[YamlProblem] = []
    refused = 0
    line, line_start, counted_to = 1, 0, 0
    for match in _SUSPECT.finditer(text):
        char = match.group(0)
        kind = "a lone carriage return" if char == "\r" else refused_kind(char)
        if not kind:
            continue
        refused += 1
        if len(problems) >= MAX_PROBLEMS_PER_FILE:
            continue
        start = match.start()
        newlines = text.count("\n", counted_to, start)
        if newlines:
            line += newlines
            line_start = text.rindex("\n", counted_to, start) + 1
        counted_to = start
        problems.append(
            YamlProblem(
                Position(line, start - line_start + 1),
                f"expected visible text, found {character_name(char)}, {kind}",
                "invisible and direction-changing characters can hide text from reviewers; "
                "delete it (an editor's 'show invisibles' setting makes it visible)"
                if char != "\r"
                else "save the file with LF or CRLF line ends",
            )
        )
    if refused > len(problems):
        problems.append(
            YamlProblem(
                problems[-1].position,
                f"expected visible text, found {refused - len(problems)} more such characters",
                "only the first ones are listed",
            )
        )
    return problems


# --- YAML syntax ----------------------------------------------------------------------------


def _quoted(value: str) -> str:
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _syntax_problem(error: yaml.MarkedYAMLError, lines: list[str]) -> YamlProblem:
    """Say what went wrong in the contributor's terms, at the place it went wrong."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    problem = (error.problem or error.context or "invalid YAML").strip()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = text[: len(text) - len(text.lstrip(" \t"))]
    if "\t" in indent or "tab" in problem or (column <= len(text) and text[column - 1] == "\t"):
        tab_column = (indent.index("\t") if "\t" in indent else column - 1) + 1
        return YamlProblem(
            Position(line, tab_column),
            "expected spaces for indentation, found a tab",
            "YAML does not allow tabs for indentation; replace the tab with spaces "
            "(two per level, as in the other entries)",
        )
    if problem.startswith("mapping values are not allowed"):
        key, _, value = text.strip().partition(": ")
        example = f"{key}: {_quoted(value)}" if value else 'title: "Ratio: 2 to 1"'
        return YamlProblem(
            Position(line, column),
            "expected one `key: value` per line, found a second `: ` in the value",
            f"a colon followed by a space starts a field; put the value in quotes: {example}",
        )
    if "end of stream" in problem and error.context and "quoted" in error.context:
        start = error.context_mark or mark
        where = Position(start.line + 1, start.column + 1) if start else Position(line, column)
        return YamlProblem(
            where,
            "expected a closing quote for the text that starts here, found the end of the file",
            "close the quote; to write a quote inside quotes, double it ('') or use the other kind",
        )
    return YamlProblem(
        Position(line, column),
        f"expected valid YAML, found a syntax error: {problem}",
        "check the indentation and quoting on this line and the one before it",
    )


def _tag_shown(tag: str) -> str:
    return (
        "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,") else (tag)
    )


# --- building values from events ------------------------------------------------------------

_NO_KEY = object()
"""The pending key of a mapping whose key was refused: its value is dropped."""


@dataclass
class _Frame:
    """An open list or mapping while the event stream is walked."""

    container: dict[str, Any] | list[Any]
    path: Path_
    start: Position
    key: Any = None
    expecting_key: bool = True


class _StopReadingError(Exception):
    """Raised to stop reading once a bound is reached."""


class _Builder:
    """Turns the parser's flat event stream into plain values, with no recursion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.document = Document(data=None)
        self.stack: list[_Frame] = []
        self.nodes = 0
        self.documents = 0
        self.resolver = yaml.resolver.Resolver()
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, position: Position, message: str, hint: str = "") -> None:
        problems = self.document.problems
        problems.append(YamlProblem(position, message, hint))
        if len(problems) >= MAX_PROBLEMS_PER_FILE:
            problems.append(
                YamlProblem(
                    position,
                    f"stopped reading after {len(problems)} problems",
                    "fix these and run again",
                )
            )
            raise _StopReadingError

    def run(self) -> Document:
        try:
            for event in yaml.parse(self.text, Loader=SafeLoader):
                self.take(event)
        except _StopReadingError:
            pass
        except yaml.MarkedYAMLError as error:
            self.document.problems.append(_syntax_problem(error, self.lines))
        except yaml.YAMLError as error:  # a reader error; characters were checked before
            self.document.problems.append(
                YamlProblem(Position(1, 1), f"expected valid YAML, found: {error}")
            )
        if self.document.problems:
            self.document.data = None
        return self.document

    def slot(self) -> Path_:
        """The path of the node that starts now."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return (*frame.path, len(frame.container))
        if frame.expecting_key or frame.key is _NO_KEY:
            return (*frame.path, "\0key")  # never looked up: keys have their own table
        return (*frame.path, frame.key)

    def take(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            self.attach(frame.container, frame.start, None, collection=True)
            return
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                mark = event.start_mark
                self.problem(
                    Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1),
                    "expected one YAML document in the file, found a second one",
                    "remove the `---` line and what follows, or merge it into the entry",
                )
                raise _StopReadingError
            return
        if not isinstance(event, yaml.NodeEvent):
            return  # stream and document end events
        mark = event.start_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.problem(
                position,
                f"expected at most {MAX_NODES} values in one entry file, found more",
                "split the content or shorten the lists",
            )
            raise _StopReadingError
        path = self.slot()
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.problem(
                position,
                "expected plain text, a number, a list or a mapping, "
                f"found the YAML tag {_tag_shown(tag)}",
                "remove the tag; entries may only hold plain data",
            )
        if isinstance(event, yaml.AliasEvent):
            self.problem(
                position,
                "expected each value written out, found a YAML alias (*name)",
                "anchors and aliases are not allowed in entries; copy the value instead",
            )
            self.attach(None, position, None, collection=False)
            return
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                self.problem(
                    position,
                    f"expected lists and mappings nested at most {MAX_DEPTH} "
                    "deep, found deeper nesting",
                    "entries need only a few levels",
                )
                raise _StopReadingError
            self.record(path, position)
            container: dict[str, Any] | list[Any] = (
                {} if isinstance(event, yaml.MappingStartEvent) else []
            )
            self.stack.append(_Frame(container, path, position))
            return
        if not isinstance(event, yaml.ScalarEvent):
            return
        if event.style in ("|", ">"):
            # A block scalar starts on the line after its indicator: point at that line.
            line = position.line + 1
            text = self.lines[line - 1] if line <= len(self.lines) else ""
            position = Position(line, len(text) - len(text.lstrip(" ")) + 1)
        self.record(path, position)
        if event.style == '"':  # escapes such as \u202E can write any character
            for match in _SUSPECT.finditer(event.value):
                char = match.group(0)
                kind = refused_kind(char) if char != "\r" else "a control character"
                if kind:
                    self.problem(
                        position,
                        f"expected visible text, found "
                        f"{character_name(match.group(0))}, {kind}, written as an escape",
                        "invisible and direction-changing characters can hide text from "
                        "reviewers; delete the escape",
                    )
                    break
        resolved: str = self.resolver.resolve(  # type: ignore[no-untyped-call]
            yaml.ScalarNode, event.value, event.implicit
        )
        if self.at_key():
            self.attach(event.value, position, resolved, collection=False)  # keys stay as written
        else:
            self.attach(
                self.scalar(resolved, event, position), position, resolved, collection=False
            )

    def at_key(self) -> bool:
        return (
            bool(self.stack)
            and isinstance(self.stack[-1].container, dict)
            and (self.stack[-1].expecting_key)
        )

    def record(self, path: Path_, position: Position) -> None:
        if not self.at_key():
            self.document.value_positions.setdefault(path, position)

    def scalar(self, tag: str, event: yaml.ScalarEvent, position: Position) -> Any:
        if tag in (_STR, _MERGE):
            return str(event.value)
        if tag == _TIMESTAMP:
            return YamlDate(event.value)  # dates stay text: the schema has no date fields
        if tag in _CONSTRUCTED:
            node = yaml.ScalarNode(tag, event.value, style=event.style)
            try:
                return self.constructor.yaml_constructors[tag](self.constructor, node)
            except (ValueError, OverflowError):
                self.problem(
                    position,
                    "expected a number, found one too long to read",
                    "write a shorter number, or quote it to make it text",
                )
                return None
        return str(event.value)

    def attach(self, value: Any, position: Position, tag: str | None, *, collection: bool) -> None:
        """Put a finished value where it belongs: the root, a list, or a mapping's key or value."""
        if not self.stack:
            self.document.data = value
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            if len(frame.container) >= MAX_LIST_ITEMS:
                self.problem(
                    position,
                    f"expected at most {MAX_LIST_ITEMS} items in a list, found more",
                    "shorten the list",
                )
                raise _StopReadingError
            frame.container.append(value)
            return
        if not frame.expecting_key:
            if frame.key is not _NO_KEY:
                frame.container[frame.key] = value
            frame.expecting_key = True
            return
        frame.expecting_key = False
        frame.key = _NO_KEY
        if collection:
            self.problem(position, "expected a field name, found a list or mapping as a key")
            return
        if tag == _MERGE:
            self.problem(
                position,
                "expected a field name, found a YAML merge key (<<)",
                "merge keys are not allowed in entries; write the fields out",
            )
            return
        key = str(value)
        if key in frame.container:
            first = self.document.key_positions[(*frame.path, key)]
            self.problem(
                position,
                f"expected each field once, found `{key}` again (first on line {first.line})",
                "PyYAML would silently keep only the last one; merge the two into one field",
            )
            return
        self.document.key_positions[(*frame.path, key)] = position
        frame.key = key
