"""Per-file validation of plain YAML values against the declarations in `schema.py`.

Each problem says what was expected and what was found, at the position of the offending key or
value, with a hint where a fix is known. Cross-file checks live in `integrity.py`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kbsite.schema import (
    BLOCK_PATTERN,
    ID_PATTERN,
    LINE_PATTERN,
    Choice,
    Integer,
    ListOf,
    Record,
    Ref,
    Spec,
    Text,
)
from kbsite.yamlio import Path_

_YAML_BOOLEAN_WORDS = {"yes", "no", "on", "off", "true", "false", "y", "n"}


@dataclass(frozen=True)
class Violation:
    """One schema problem at a place in the document."""

    path: Path_
    message: str
    hint: str = ""
    at_key: bool = False


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
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - YAML yields only the types above


def _suggest(word: str, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def check(spec: Spec, value: Any, path: Path_ = ()) -> Iterator[Violation]:
    """Yield every violation of spec by value."""
    if isinstance(spec, Record):
        yield from _check_record(spec, value, path)
    elif isinstance(spec, ListOf):
        yield from _check_list(spec, value, path)
    elif isinstance(spec, Choice):
        yield from _check_choice(spec, value, path)
    elif isinstance(spec, Integer):
        yield from _check_integer(spec, value, path)
    elif isinstance(spec, Ref):
        yield from _check_text(
            Text(pattern=ID_PATTERN, expectation=f"the id of a {spec.target}"), value, path
        )
    elif isinstance(spec, Text):
        yield from _check_text(spec, value, path)


def _type_hint(value: Any) -> str:
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as booleans; put the text in quotes"
    if isinstance(value, int | float):
        return "put the value in quotes to make it text"
    return ""


def _check_text(spec: Text, value: Any, path: Path_) -> Iterator[Violation]:
    kind = "Markdown text" if spec.markdown else "text"
    if not isinstance(value, str):
        yield Violation(path, f"expected {kind}, found {describe(value)}", _type_hint(value))
        return
    if not value.strip():
        yield Violation(
            path,
            f"expected non-blank {kind}, found {describe(value)}",
            "write the value or remove the field if it is optional",
        )
        return
    if not re.search(BLOCK_PATTERN, value):
        bad = next(c for c in value if not re.match(BLOCK_PATTERN, c))
        yield Violation(
            path,
            f"expected printable {kind}, found the control character U+{ord(bad):04X}",
            "remove invisible or direction-changing characters",
        )
        return
    if not spec.multiline and not re.search(LINE_PATTERN, value):
        lines = len(value.rstrip("\n").split("\n"))
        yield Violation(
            path,
            f"expected a single line of text, found {lines} lines",
            "use a plain (not block `|` or `>`) scalar on one line",
        )
        return
    if spec.max_length is not None and len(value) > spec.max_length:
        yield Violation(
            path,
            f"expected at most {spec.max_length} characters, found {len(value)}",
            "shorten it; longer text belongs in `description`",
        )
    if spec.pattern and not re.search(spec.pattern, value):
        yield Violation(
            path, f"expected {spec.expectation}, found {value!r}", _pattern_hint(spec, value)
        )


def _pattern_hint(spec: Text, value: str) -> str:
    if spec.expectation.startswith(("a kebab-case id", "the id of")):
        fixed = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
        return f"try `{fixed}`" if fixed else ""
    if spec.expectation.startswith("a DOI") and "doi.org/" in value:
        return "leave out the https://doi.org/ prefix"
    if spec.expectation.startswith("a page") and ("--" in value or "–" in value):
        return "write the range with a single ASCII hyphen, e.g. 305-312"
    return ""


def _check_integer(spec: Integer, value: Any, path: Path_) -> Iterator[Violation]:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        hint = "write the number without quotes" if isinstance(value, str) else ""
        yield Violation(path, f"expected a whole number, found {describe(value)}", hint)
        return
    if spec.minimum is not None and value < spec.minimum:
        yield Violation(path, f"expected a number of at least {spec.minimum}, found {value}")
    if spec.maximum is not None and value > spec.maximum:
        yield Violation(path, f"expected a number of at most {spec.maximum}, found {value}")


def _check_choice(spec: Choice, value: Any, path: Path_) -> Iterator[Violation]:
    allowed = ", ".join(f"`{name}`" for name in spec.names)
    if not isinstance(value, str) or value not in spec.names:
        found = repr(value) if isinstance(value, str) else describe(value)
        hint = _suggest(value, spec.names) if isinstance(value, str) else ""
        if not hint and isinstance(value, bool):
            hint = _type_hint(value)
        yield Violation(path, f"expected one of {allowed}, found {found}", hint)


def _check_list(spec: ListOf, value: Any, path: Path_) -> Iterator[Violation]:
    if not isinstance(value, list):
        hint = "write a list, e.g. `[a, b]` or one `- item` per line"
        yield Violation(path, f"expected a list, found {describe(value)}", hint)
        return
    if len(value) < spec.min_items:
        yield Violation(
            path,
            f"expected at least {spec.min_items} item"
            f"{'s' if spec.min_items != 1 else ''}, found {len(value)}",
        )
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        yield from check(spec.item, item, (*path, index))
        if spec.unique and isinstance(item, str | int):
            key = repr(item)
            if key in seen:
                yield Violation(
                    (*path, index),
                    f"expected each item once, found {item!r} "
                    f"again (item {seen[key] + 1} is the same)",
                    "remove the repeat",
                )
            else:
                seen[key] = index


def _check_record(spec: Record, value: Any, path: Path_) -> Iterator[Violation]:
    if not isinstance(value, dict):
        fields = ", ".join(spec.field_names[:4])
        yield Violation(
            path,
            f"expected a mapping of {spec.name} fields ({fields}, ...), found {describe(value)}",
        )
        return
    for key, item in value.items():
        field = spec.field(key)
        if field is None:
            allowed = ", ".join(f"`{name}`" for name in spec.field_names)
            hint = _suggest(key, spec.field_names) or f"the fields of a {spec.name} are {allowed}"
            yield Violation(
                (*path, key),
                f"expected a field of {_article(spec.name)}, found unknown field `{key}`",
                hint,
                at_key=True,
            )
            continue
        yield from check(field.spec, item, (*path, key))
    missing = {f.name: "" for f in spec.fields if f.required and f.name not in value}
    for requirement in spec.requirements:
        if value.get(requirement.when_field) == requirement.when_value:
            condition = f" (required when `{requirement.when_field}` is `{requirement.when_value}`)"
            for name in requirement.required:
                if name not in value:
                    missing.setdefault(name, condition)
    for name, condition in missing.items():
        yield Violation(
            path,
            f"expected field `{name}` in this {spec.name}{condition}, found none",
            f"add `{name}:` to the {spec.name}",
        )
    if spec.exactly_one_of:
        present = [name for name in spec.exactly_one_of if name in value]
        if len(present) != 1:
            options = " or ".join(f"`{name}`" for name in spec.exactly_one_of)
            found = "neither" if not present else "both"
            yield Violation(
                path,
                f"expected exactly one of {options} in this {spec.name}, found {found}",
                "use `literal` only for a name that cannot be split into parts",
            )


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun
