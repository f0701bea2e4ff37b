"""The value types entry fields are made of, each with its validation, JSON Schema and wording.

Every type here is a marker placed in `Annotated[...]` on a model field (see `model.py`). A
marker validates the raw YAML value itself, so that the messages contributors read say what was
expected and what was found, in their words, and publishes the same rule as JSON Schema, so the
schema files and the validator cannot drift apart.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NoReturn

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

ERROR_TYPE = "kb"
"""pydantic error type of every problem raised by a field type here; its context carries the
`message` and the `hint` shown to the contributor, and optionally `at`, a list index."""

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_EXPECTATION = "a kebab-case id (lower-case letters and digits in words joined by single hyphens)"

# Control characters, C1 controls, invisible characters and bidirectional controls can hide text
# from reviewers ("trojan source") or break the pages the text lands in.
_FORBIDDEN_CHARS = (
    "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f"
    "\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff"
)
LINE_PATTERN = f"^[^{_FORBIDDEN_CHARS}\\n]*\\n?$"
BLOCK_PATTERN = f"^[^{_FORBIDDEN_CHARS}]*$"
NOT_BLANK_PATTERN = r"\S"
HTML_PATTERN = r"<[A-Za-z/!?]"
"""What counts as HTML in plain text: a `<` followed by a letter, `/`, `!` or `?`."""

_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CHARS}]".encode().decode("unicode_escape"))
_HTML = re.compile(HTML_PATTERN)

MAX_DEPTH = 10
"""Deepest nesting of lists and mappings an entry may have (a guide's rule conditions are 8)."""
MAX_ERRORS_PER_FILE = 50
"""Beyond this many problems in one file, the rest are summarised in one line."""


def fail(message: str, hint: str = "", *, at: int | None = None) -> NoReturn:
    """Raise the problem as a pydantic error carrying the contributor-facing wording."""
    context: dict[str, Any] = {"message": message, "hint": hint}
    if at is not None:
        context["at"] = at
    raise PydanticCustomError(ERROR_TYPE, "{message}", context)


def describe(value: Any) -> str:
    """Say what a value is, for the 'found' half of a message."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}" if value.strip() else "blank text"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggest(word: str, options: tuple[str, ...] | list[str]) -> str:
    """A 'did you mean' hint for a near miss, or nothing."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def type_hint(value: Any) -> str:
    """How to turn a YAML value of the wrong type into text."""
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as booleans; put the text in quotes"
    if isinstance(value, int | float):
        return "put the value in quotes to make it text"
    return ""


def character_name(char: str) -> str:
    """U+202E (RIGHT-TO-LEFT OVERRIDE), or just the code point for unnamed controls."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


class _Marker:
    """Base of the markers: pydantic calls `validate` on the raw value."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return self.json_schema()

    def validate(self, value: Any) -> Any:  # pragma: no cover - every marker overrides it
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:  # pragma: no cover - every marker overrides it
        raise NotImplementedError

    def kind(self) -> str:  # pragma: no cover - every marker overrides it
        """What the value is, in the words of the field reference."""
        raise NotImplementedError


@dataclass(frozen=True)
class Text(_Marker):
    """A string: one line unless `multiline`; Markdown or plain text; bounded in length.

    Plain text (everything but Markdown) refuses HTML: it is shown as typed, so markup in it is
    either a mistake or an attack.
    """

    max_length: int
    multiline: bool = False
    markdown: bool = False
    pattern: str | None = None
    expectation: str = ""
    """How to describe the pattern to a person, e.g. 'a DOI such as 10.1109/...'."""
    longer_in: str = ""
    """The field of the same entry where longer text belongs, for the hint."""

    def noun(self) -> str:
        """'Markdown text' or 'text', for messages."""
        return "Markdown text" if self.markdown else "text"

    def validate(self, value: Any) -> str:
        """Check the value and return it without surrounding white space."""
        noun = self.noun()
        if not isinstance(value, str):
            fail(f"expected {noun}, found {describe(value)}", type_hint(value))
        if not value.strip():
            fail(
                f"expected non-blank {noun}, found {describe(value)}",
                "write the value or remove the field if it is optional",
            )
        bad = _FORBIDDEN.search(value)
        if bad:
            fail(
                f"expected printable {noun}, found the control character "
                f"{character_name(bad.group())}",
                "remove invisible or direction-changing characters",
            )
        if not self.multiline and not re.search(LINE_PATTERN, value):
            lines = len(value.rstrip("\n").split("\n"))
            fail(
                f"expected a single line of text, found {lines} lines",
                "use a plain (not block `|` or `>`) scalar on one line",
            )
        if len(value) > self.max_length:
            fail(
                f"expected at most {self.max_length} characters, found {len(value)}",
                f"shorten it to at most {self.max_length} characters"
                + (f"; longer text belongs in `{self.longer_in}`" if self.longer_in else ""),
            )
        if not self.markdown:
            html = _HTML.search(value)
            if html:
                fail(
                    f"expected plain text without HTML, found `{value[html.start() :][:20]}`",
                    "this field is shown exactly as written; write `less than` or put a "
                    "space after `<`",
                )
        if self.pattern and not re.search(self.pattern, value):
            fail(f"expected {self.expectation}, found {value!r}", self.pattern_hint(value))
        return value.strip()

    def pattern_hint(self, value: str) -> str:
        """A fix for a value that does not match the pattern, where one is known."""
        if self.pattern == ID_PATTERN:
            fixed = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
            return f"try `{fixed}`" if fixed else ""
        if self.expectation.startswith("a DOI") and "doi.org/" in value:
            return "leave out the https://doi.org/ prefix"
        if self.expectation.startswith("a page") and ("--" in value or "–" in value):
            return "write the range with a single ASCII hyphen, e.g. 305-312"
        if self.expectation.startswith("an https://") and value.startswith("http://"):
            return "use the https:// address of the page"
        return ""

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema of exactly the rules `validate` applies."""
        patterns = [BLOCK_PATTERN if self.multiline else LINE_PATTERN, NOT_BLANK_PATTERN]
        if self.pattern:
            patterns.append(self.pattern)
        rules: list[dict[str, Any]] = [{"pattern": pattern} for pattern in patterns]
        if not self.markdown:
            rules.append({"not": {"pattern": HTML_PATTERN}})
        return {"type": "string", "maxLength": self.max_length, "allOf": rules}

    def kind(self) -> str:
        """What the value is, in the words of the field reference."""
        if self.pattern:
            return self.expectation
        if self.markdown:
            base = "Markdown"
        else:
            base = "plain text" if self.multiline else "one line of plain text"
        return f"{base}, at most {self.max_length:,} characters"


def PlainText(  # noqa: N802 - a type name
    max_length: int,
    *,
    multiline: bool = False,
    longer_in: str = "",
) -> Text:
    """Text shown exactly as written: titles, summaries, findings, locators, names, notes."""
    return Text(max_length=max_length, multiline=multiline, longer_in=longer_in)


def Markdown(max_length: int) -> Text:  # noqa: N802 - a type name
    """Longer text in restricted Markdown."""
    return Text(max_length=max_length, multiline=True, markdown=True)


def Pattern(pattern: str, expectation: str, max_length: int = 200) -> Text:  # noqa: N802
    """One line of text of a fixed form, e.g. a DOI."""
    return Text(max_length=max_length, pattern=pattern, expectation=expectation)


ID = Text(max_length=80, pattern=ID_PATTERN, expectation=ID_EXPECTATION)
"""A kebab-case id (entries, tags, sectors, a guide's levels, questions and options)."""


@dataclass(frozen=True)
class Reference(_Marker):
    """The id of another entry; that the entry exists is checked across files (integrity.py).

    `targets` are entry type names; the link graph and the reference check read them.
    """

    targets: tuple[str, ...]
    named: str = ""
    """What messages call the target when its type name is not the word readers use
    (`outcome group` for `outcome`)."""

    def noun(self) -> str:
        """'citation', or 'principle, benefit or limitation'."""
        if self.named:
            return self.named
        if len(self.targets) == 1:
            return self.targets[0]
        return ", ".join(self.targets[:-1]) + " or " + self.targets[-1]

    def _article(self) -> str:
        return "an" if self.noun()[0] in "aeiou" else "a"

    def validate(self, value: Any) -> str:
        """Check the id's form; its existence is checked once all files are read."""
        if not isinstance(value, str):
            fail(
                f"expected the id of {self._article()} {self.noun()}, found {describe(value)}",
                type_hint(value),
            )
        if not re.fullmatch(ID_PATTERN, value) or len(value) > ID.max_length:
            fail(
                f"expected the id of {self._article()} {self.noun()}, found {value!r}",
                ID.pattern_hint(value),
            )
        return value

    def json_schema(self) -> dict[str, Any]:
        """An id-shaped string."""
        return {"type": "string", "pattern": ID_PATTERN, "maxLength": ID.max_length}

    def kind(self) -> str:
        """'id of a citation'."""
        return f"id of {self._article()} {self.noun()}"


@dataclass(frozen=True)
class Whole(_Marker):
    """A whole number within bounds."""

    minimum: int
    maximum: int

    def validate(self, value: Any) -> int:
        """Accept 2020 and 2020.0; refuse text, booleans and numbers out of bounds."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            hint = ""
            if isinstance(value, str):
                if re.fullmatch(r"\s*-?[0-9]+\s*", value):
                    hint = "write the number without quotes"
                elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}.*", value):
                    hint = f"this looks like a date; write only the number, e.g. {value[:4]}"
                else:
                    hint = f"write a whole number between {self.minimum} and {self.maximum}"
            fail(f"expected a whole number, found {describe(value)}", hint)
        if value < self.minimum:
            fail(f"expected a number of at least {self.minimum}, found {value}")
        if value > self.maximum:
            fail(f"expected a number of at most {self.maximum}, found {value}")
        return value

    def json_schema(self) -> dict[str, Any]:
        """An integer within bounds."""
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def kind(self) -> str:
        """'whole number from 1 to 99'."""
        return f"whole number from {self.minimum} to {self.maximum}"


@dataclass(frozen=True)
class Flag(_Marker):
    """Yes or no (YAML `true` or `false`)."""

    def validate(self, value: Any) -> bool:
        """Refuse anything but a YAML boolean."""
        if not isinstance(value, bool):
            fail(
                f"expected true or false, found {describe(value)}",
                "write `true` or `false` without quotes",
            )
        return value

    def json_schema(self) -> dict[str, Any]:
        """A boolean."""
        return {"type": "boolean"}

    def kind(self) -> str:
        """'true or false'."""
        return "`true` or `false`"


FLAG = Flag()


@dataclass(frozen=True)
class Choice(_Marker):
    """One value of a closed vocabulary; each value has the label shown on the site."""

    values: tuple[tuple[str, str], ...]
    description: str = ""
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(name for name, _ in self.values))

    def label(self, value: str) -> str:
        """The label of one value."""
        return dict(self.values)[value]

    def validate(self, value: Any) -> str:
        """Refuse anything outside the vocabulary, suggesting the closest value."""
        if not isinstance(value, str) or value not in self.names:
            allowed = ", ".join(f"`{name}`" for name in self.names)
            found = repr(value) if isinstance(value, str) else describe(value)
            hint = suggest(value, self.names) if isinstance(value, str) else type_hint(value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                hint = ""
            fail(f"expected one of {allowed}, found {found}", hint)
        return value

    def json_schema(self) -> dict[str, Any]:
        """An enumeration."""
        return {"type": "string", "enum": list(self.names)}

    def kind(self) -> str:
        """'one of `a`, `b`'."""
        return "one of " + ", ".join(f"`{name}`" for name in self.names)


@dataclass(frozen=True)
class Unique:
    """On a list: each item at most once (reported at the repeat)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_check_unique, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        result["uniqueItems"] = True
        return result


UNIQUE = Unique()


def _check_unique(items: tuple[Any, ...]) -> tuple[Any, ...]:
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        if item in seen:
            fail(
                f"expected each item once, found {item!r} again (item {seen[item] + 1} is the "
                "same)",
                "remove the repeat",
                at=index,
            )
        seen[item] = index
    return items
