"""Per-file validation: a YAML document in, a typed entry or contributor-facing problems out.

pydantic validates against the models in `model.py`; this module maps each of its errors onto
the line and column `yamlio.py` recorded, in the words contributors read: what was expected,
what was found, and a hint. What JSON Schema says and pydantic has no keyword for (exactly one
of two fields, fields required by another's value, no explicit empty values) is checked here
from the same model declarations. Cross-file checks live in `integrity.py`.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from kbsite.errors import Issue
from kbsite.fields import (
    ERROR_TYPE,
    ID_PATTERN,
    MAX_DEPTH,
    MAX_ERRORS_PER_FILE,
    Reference,
    describe,
    suggest,
)
from kbsite.model import Entry, Record, SourceFile
from kbsite.registry import EntryType
from kbsite.yamlio import Document, Path_

ENTRY_SUFFIX = ".yaml"


@dataclass(frozen=True)
class Violation:
    """One problem at a place in the document."""

    path: Path_
    message: str
    hint: str = ""
    at_key: bool = False


@dataclass(frozen=True)
class Slot:
    """What a model field holds, as far as the structural checks need to know."""

    record: type[Record] | None
    """The model of the value, or of each item of a list."""
    sequence: bool
    none_refused_by: Any
    """For an optional field: the marker or model that explains why `null` is refused."""
    reference: Reference | None = None
    """For a reference field (or list of them): the entry types it refers to."""


def strip_annotation(annotation: Any) -> tuple[Any, list[Any]]:
    """The type inside Annotated and Optional, with the metadata found on the way."""
    metadata: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is not None and hasattr(annotation, "__metadata__"):
            metadata += list(annotation.__metadata__)
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation, metadata


def _is_record(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Record)


@functools.cache
def slots(model: type[Record]) -> dict[str, Slot]:
    """The structure of each field of a model."""
    result = {}
    for name, info in model.model_fields.items():
        inner, metadata = strip_annotation(info.annotation)
        sequence = get_origin(inner) is tuple
        if sequence:
            inner, metadata_of_items = strip_annotation(get_args(inner)[0])
            metadata += metadata_of_items
        optional = info.default is None
        explainer = None
        if optional:
            explainer = (
                inner
                if _is_record(inner)
                else next((m for m in [*info.metadata, *metadata] if hasattr(m, "validate")), None)
            )
        reference = next((m for m in [*info.metadata, *metadata] if isinstance(m, Reference)), None)
        result[name] = Slot(inner if _is_record(inner) else None, sequence, explainer, reference)
    return result


def record_at(model: type[Record], path: Path_) -> type[Record] | None:
    """The model of the mapping at path inside a document of `model`, if there is one."""
    current: type[Record] | None = model
    index = 0
    while index < len(path) and current is not None:
        slot = slots(current).get(str(path[index]))
        if slot is None:
            return None
        index += 1
        if slot.sequence:
            if index >= len(path):
                return None
            index += 1
        current = slot.record
    return current


def _mapping_expectation(record: type[Record]) -> str:
    fields = ", ".join(list(record.model_fields)[:4])
    return f"a mapping of {record.record_name} fields ({fields}, ...)"


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _structure(model: type[Record], data: Any, path: Path_) -> Iterator[Violation]:
    """Rules of the model that pydantic has no keyword for, on the raw data."""
    if not isinstance(data, dict):
        return
    for name, hint in model.retired_fields.items():
        if name in data:
            yield Violation(
                (*path, name),
                f"expected no `{name}` in {_article(model.record_name)} (the field was "
                f"retired), found `{name}`",
                hint,
                at_key=True,
            )
    for name, slot in slots(model).items():
        value = data.get(name)
        if name in data and value is None and slot.none_refused_by is not None:
            if _is_record(slot.none_refused_by):
                expected = _mapping_expectation(slot.none_refused_by)
                yield Violation(
                    (*path, name),
                    f"expected {expected}, found {describe(None)}",
                    "write the value or remove the field",
                )
            else:
                try:
                    slot.none_refused_by.validate(None)
                except PydanticCustomError as error:
                    context = error.context or {}
                    yield Violation(
                        (*path, name),
                        str(context.get("message", error.message())),
                        "write the value or remove the field",
                    )
        if slot.record is None:
            continue
        if slot.sequence and isinstance(value, list):
            for index, item in enumerate(value):
                yield from _structure(slot.record, item, (*path, name, index))
        elif not slot.sequence:
            yield from _structure(slot.record, value, (*path, name))
    for requirement in model.requirements:
        if data.get(requirement.when_field) == requirement.when_value:
            for name in requirement.required:
                if name not in data:
                    yield Violation(
                        path,
                        f"expected field `{name}` in this {model.record_name} (required when "
                        f"`{requirement.when_field}` is `{requirement.when_value}`), found none",
                        f"add `{name}:` to the {model.record_name}",
                    )
    if model.exactly_one_of:
        present = [name for name in model.exactly_one_of if name in data]
        if len(present) != 1:
            options = " or ".join(f"`{name}`" for name in model.exactly_one_of)
            found = "neither" if not present else "both"
            yield Violation(
                path,
                f"expected exactly one of {options} in this {model.record_name}, found {found}",
                "use `literal` only for a name that cannot be split into parts",
            )


def without_retired(model: type[Record], data: Any) -> Any:
    """The data with every retired field dropped, for reading earlier versions of an entry.

    Retired fields moved elsewhere (their hint says where), so an earlier version means the
    same without them; today's files that still have one are refused instead (`_structure`).
    """
    if not isinstance(data, dict):
        return data
    result = {}
    for name, value in data.items():
        if name in model.retired_fields:
            continue
        slot = slots(model).get(str(name))
        if slot is not None and slot.record is not None:
            if slot.sequence and isinstance(value, list):
                value = [without_retired(slot.record, item) for item in value]
            elif not slot.sequence:
                value = without_retired(slot.record, value)
        result[name] = value
    return result


def as_today(model: type[Record], data: Any) -> Any:
    """An earlier version of an entry as today's model reads it.

    Retired fields are dropped, and each field introduced since gets its stand-in value
    (`Record.introduced_fields`).
    """
    current = without_retired(model, data)
    if not isinstance(current, dict):
        return current
    missing = {k: v for k, v in model.introduced_fields.items() if k not in current}
    return {**current, **missing}


def _too_deep(data: Any) -> Path_ | None:
    """Where nesting first goes deeper than MAX_DEPTH, without recursion."""
    stack: list[tuple[Any, Path_]] = [(data, ())] if isinstance(data, dict | list) else []
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            return path
        items = value.items() if isinstance(value, dict) else enumerate(value)
        stack += [(item, (*path, key)) for key, item in items if isinstance(item, dict | list)]
    return None


def _value_at(data: Any, path: Path_) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _from_pydantic(model: type[Record], data: Any, error: ErrorDetails) -> Violation | None:
    """One pydantic error in the contributor's words, or None when another message covers it."""
    loc = tuple(error["loc"])
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == ERROR_TYPE:
        where = (*loc, context["at"]) if "at" in context else loc
        return Violation(where, context["message"], context.get("hint", ""))
    if kind == "missing":
        record = record_at(model, loc[:-1]) or model
        name = loc[-1]
        return Violation(
            loc[:-1],
            f"expected field `{name}` in this {record.record_name}, found none",
            f"add `{name}:` to the {record.record_name}",
        )
    if kind == "extra_forbidden":
        record = record_at(model, loc[:-1]) or model
        names = tuple(record.model_fields)
        key = str(loc[-1])
        if key in record.retired_fields:
            return None  # reported with its own hint by _structure
        allowed = ", ".join(f"`{name}`" for name in names)
        return Violation(
            loc,
            f"expected a field of {_article(record.record_name)}, found unknown field `{key}`",
            suggest(key, names) or f"the fields of a {record.record_name} are {allowed}",
            at_key=True,
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        record = record_at(model, loc) or model
        return Violation(
            loc, f"expected {_mapping_expectation(record)}, found {describe(error['input'])}"
        )
    if kind in ("tuple_type", "list_type"):
        return Violation(
            loc,
            f"expected a list, found {describe(error['input'])}",
            "write a list, e.g. `[a, b]` or one `- item` per line",
        )
    if kind in ("too_short", "too_long"):
        raw = _value_at(data, loc)
        found = len(raw) if isinstance(raw, list) else context.get("actual_length", 0)
        if kind == "too_short":
            minimum = int(context["min_length"])
            if found >= minimum:
                return None  # items failed their own checks, which are reported
            return Violation(
                loc, f"expected at least {minimum} item{'s' if minimum != 1 else ''}, found {found}"
            )
        return Violation(
            loc,
            f"expected at most {context['max_length']} items, found {found}",
            "keep the items that matter most, or split the entry",
        )
    return Violation(
        loc, f"expected a valid value, found {describe(error['input'])}: {error['msg']}"
    )


def validate(model: type[Record], data: Any) -> tuple[Record | None, list[Violation]]:
    """The typed record and no problems, or None and every problem of the document."""
    deep = _too_deep(data)
    if deep is not None:
        return None, [
            Violation(
                deep,
                f"expected at most {MAX_DEPTH} levels of nested lists "
                "and mappings, found deeper nesting",
                "entries hold flat lists of values; remove the extra brackets",
            )
        ]
    violations = list(_structure(model, data, ()))
    try:
        record = model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            violation = _from_pydantic(model, data, detail)
            if violation is not None:
                violations.append(violation)
        return None, violations
    return (None if violations else record), violations


def check(model: type[Record], data: Any) -> list[Violation]:
    """Every problem of a document against a model (empty when it is valid)."""
    return validate(model, data)[1]


def issues_of(violations: list[Violation], document: Document, shown: str) -> list[Issue]:
    """Violations as issues at their line and column, at most MAX_ERRORS_PER_FILE of them."""
    issues = sorted(
        {
            Issue(shown, position.line, position.column, v.message, v.hint)
            for v in violations
            for position in (document.position(v.path, key=v.at_key),)
        }
    )
    if len(issues) > MAX_ERRORS_PER_FILE:
        rest = len(issues) - MAX_ERRORS_PER_FILE
        issues = [
            *issues[:MAX_ERRORS_PER_FILE],
            Issue(
                shown,
                0,
                0,
                f"expected a file with fewer problems, found {rest} more not shown",
                "fix the problems above and run the check again",
            ),
        ]
    return issues


def load_entry(
    entry_type: EntryType, document: Document, shown: str, stem: str
) -> tuple[Entry | None, list[Issue]]:
    """Validate one parsed document as an entry of entry_type named by its file stem."""
    model = entry_type.model
    if not isinstance(document.data, dict):
        found = "an empty file" if document.data is None else "a single value or a list"
        return None, [
            Issue(
                shown,
                1,
                1,
                f"expected a mapping of {model.record_name} fields, found {found}",
                "start with `id: <file name>` on the first line",
            )
        ]
    record, violations = validate(model, document.data)
    issues = issues_of(violations, document, shown)
    if not re.fullmatch(ID_PATTERN, stem):
        issues.append(
            Issue(
                shown,
                0,
                0,
                f"expected a kebab-case file name, found `{stem}{ENTRY_SUFFIX}`",
                "file names are entry ids: lower-case words joined by hyphens",
            )
        )
    elif stem in entry_type.generated_names:
        issues.append(
            Issue(
                shown,
                0,
                0,
                f"expected an id the site does not use for its own "
                f"pages, found `{stem}` (the site makes "
                f"{entry_type.page_folder}/{stem})",
                f"choose a more specific id, e.g. `{stem}-{entry_type.name}`",
            )
        )
    entry_id = document.data.get("id")
    if isinstance(entry_id, str) and entry_id != stem:
        position = document.position(("id",))
        issues.append(
            Issue(
                shown,
                position.line,
                position.column,
                f"expected the id to equal the file name `{stem}`, found `{entry_id}`",
                f"rename the file to {entry_id}{ENTRY_SUFFIX} or set `id: {stem}`",
            )
        )
    if issues or not isinstance(record, Entry):
        return None, issues
    return record.with_source(SourceFile(shown, document)), []
