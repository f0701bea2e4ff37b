"""What is published from the models: JSON Schema files for editors and the field reference.

Both are generated from `model.py`, so they cannot drift from what the validator accepts; `make
schema` writes them and `python -m kbsite schema --check` (part of the tests) refuses stale ones.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, get_args, get_origin

from annotated_types import MaxLen, MinLen

from kbsite.fields import MAX_DEPTH, Unique
from kbsite.model import Record
from kbsite.registry import ENTRY_TYPES, EntryType
from kbsite.validation import slots, strip_annotation

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _records(model: type[Record]) -> list[type[Record]]:
    """The model and every record model reachable from it, each once."""
    found: list[type[Record]] = []
    pending = [model]
    while pending:
        current = pending.pop(0)
        if current in found:
            continue
        found.append(current)
        pending += [slot.record for slot in slots(current).values() if slot.record is not None]
    return found


def _tidy(node: Any) -> Any:
    """Drop what pydantic adds for Python readers (titles, defaults, `null` for absent)."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key in ("title", "default"):
            continue
        if key == "properties":
            result[key] = {name: _tidy(item) for name, item in value.items()}
            continue
        result[key] = _tidy(value)
    branches = result.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            del result["anyOf"]
            result = {**kept[0], **result}
    return result


def _record_rules(model: type[Record], schema: dict[str, Any]) -> None:
    """Add the cross-field rules the model declares (see validation._structure)."""
    if model.exactly_one_of:
        schema["oneOf"] = [{"required": [name]} for name in model.exactly_one_of]
    if model.requirements:
        schema["allOf"] = [
            {
                "if": {
                    "properties": {r.when_field: {"const": r.when_value}},
                    "required": [r.when_field],
                },
                "then": {"required": list(r.required)},
            }
            for r in model.requirements
        ]


def json_schema(entry_type: EntryType) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) editors use for one entry type."""
    generated = entry_type.model.model_json_schema()
    definitions = generated.pop("$defs", {})
    for record in _records(entry_type.model):
        target = generated if record is entry_type.model else definitions.get(record.__name__)
        if target is not None:
            _record_rules(record, target)
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{entry_type.name}.schema.json",
        "title": f"MLOps knowledge base: {entry_type.model.record_name}",
    }
    schema.update(_tidy(generated))
    if definitions:
        schema["$defs"] = {name: _tidy(value) for name, value in sorted(definitions.items())}
    return schema


def schema_files() -> dict[str, str]:
    """The published JSON Schema files, by file name."""
    return {
        f"{t.name}.schema.json": json.dumps(json_schema(t), indent=2, ensure_ascii=False) + "\n"
        for t in ENTRY_TYPES
    }


# ---------------------------------------------------------------------------------------------
# Field reference for contributors (CONTRIBUTING.md)


def _count(metadata: list[Any]) -> str:
    low = next((m.min_length for m in metadata if isinstance(m, MinLen)), 0)
    high = next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)
    parts = []
    if low:
        parts.append(f"at least {low}")
    if high is not None:
        parts.append(f"at most {high}")
    unique = any(isinstance(m, Unique) for m in metadata)
    text = " and ".join(parts) + (" items" if parts else "")
    if unique:
        text += (", " if text else "") + "each once"
    return f" ({text})" if text else ""


def _kind(annotation: Any, metadata: list[Any]) -> str:
    inner, more = strip_annotation(annotation)
    metadata = [*metadata, *more]
    if get_origin(inner) is tuple:
        item, item_metadata = strip_annotation(get_args(inner)[0])
        count = _count(metadata)
        if isinstance(item, type) and issubclass(item, Record):
            return f"list of mappings{count}"
        return f"list{count} of {_kind(item, item_metadata)}"
    if isinstance(inner, type) and issubclass(inner, Record):
        return "mapping"
    marker = next((m for m in metadata if hasattr(m, "kind")), None)
    return marker.kind() if marker is not None else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(model: type[Record], prefix: str) -> list[str]:
    rows = []
    for name, info in model.model_fields.items():
        slot = slots(model)[name]
        shown = f"{prefix}{name}"
        kind = _kind(info.annotation, list(info.metadata))
        rows.append(
            f"| `{shown}` | {'yes' if info.is_required() else 'no'} | "
            f"{_cell(kind)} | {_cell(info.description or '')} |"
        )
        if slot.record is not None:
            rows += _rows(slot.record, f"{shown}[]." if slot.sequence else f"{shown}.")
    for name, hint in model.retired_fields.items():
        meaning = _cell(hint[:1].upper() + hint[1:])
        rows.append(f"| `{prefix}{name}` | retired | not accepted | {meaning}. |")
    return rows


def _rules(model: type[Record], prefix: str) -> list[str]:
    lines = []
    for record in _records(model):
        if record.exactly_one_of:
            names = " or ".join(f"`{name}`" for name in record.exactly_one_of)
            lines.append(f"\nEach {record.record_name} has exactly one of {names}.")
        for requirement in record.requirements:
            fields = ", ".join(f"`{name}`" for name in requirement.required)
            lines.append(
                f"\nWhen `{prefix}{requirement.when_field}` is "
                f"`{requirement.when_value}`, {fields} are required too."
            )
    return lines


def field_reference() -> str:
    """Markdown tables of every entry type's fields, generated from the models."""
    parts = [
        f"Limits that hold for every entry: lists and mappings nest at most {MAX_DEPTH} "
        "levels deep; text contains no control, invisible or direction-changing "
        "characters; plain-text fields contain no HTML (a `<` followed by a letter, `/`, "
        "`!` or `?`); an id may not be `index` (the site's own page in each folder).\n"
    ]
    for entry_type in ENTRY_TYPES:
        model = entry_type.model
        parts.append(f"### {entry_type.section}: `kb/{entry_type.folder}/<id>.yaml`\n")
        parts.append(inspect.cleandoc(model.__doc__ or "") + "\n")  # paragraphs unindented
        parts.append("| field | required | value | meaning |")
        parts.append("|---|---|---|---|")
        parts += _rows(model, "")
        parts += _rules(model, "")
        parts.append("")
    return "\n".join(parts)


def splice(current: str, start: str, end: str, body: str, shown: str) -> str:
    """A hand-written document with its generated block (between two markers) replaced."""
    before, found, rest = current.partition(start)
    _, found_end, after = rest.partition(end)
    if not (found and found_end):
        raise OSError(f"{shown}: expected the markers {start} and {end}")
    return f"{before}{start}\n\n{body}\n{end}{after}"
