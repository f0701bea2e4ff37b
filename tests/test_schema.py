"""The published JSON Schema and the validator agree, and the committed files are current."""

from __future__ import annotations

import copy
import functools
import json

import jsonschema
import pytest

from kbsite.published import schema_files
from kbsite.registry import BY_NAME, ENTRY_TYPES, EntryType
from kbsite.validation import check
from kbsite.yamlio import parse_document

from conftest import FIXTURE_KB, REPO
from test_bad_input import CASES as BAD_INPUT
from test_bad_input import NEW_CASES as MORE_BAD_INPUT

SCHEMA_DIR = REPO / "kb" / "schema"

# One worker runs this module (with `--dist loadgroup`, as `make check` does): its documents are
# made once, not once in each worker.
pytestmark = pytest.mark.xdist_group("schema")


@pytest.mark.parametrize("name", sorted(schema_files()))
def test_committed_schema_matches_declarations(name):
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == schema_files()[name], "run `make schema` and commit kb/schema/"


def _bad_input_documents():
    """Every entry file of the bad-input acceptance suite that is YAML at all."""
    by_folder = {t.folder: t for t in ENTRY_TYPES}
    for case, (changes, _) in {**BAD_INPUT, **MORE_BAD_INPUT}.items():
        for name, text in changes.items():
            folder, _, file_name = name.partition("/")
            if folder not in by_folder or not file_name.endswith(".yaml") or text is None:
                continue
            if isinstance(text, bytes):
                continue  # not UTF-8: refused before any schema applies
            document = parse_document(text)
            if document.problems or not isinstance(document.data, dict):
                continue  # refused by the YAML reader before any schema applies
            yield by_folder[folder], f"bad-input:{case}:{name}", document.data


def _documents():
    """Every real and fixture entry; mutated copies that break one rule each; bad input.

    The mutations break one field at a time, so they are made of the files that together hold
    every field of their type (and every kind of list item), not of all of them: a second file
    with the same fields would break the same rules again.
    """
    for entry_type in ENTRY_TYPES:
        for kb in (REPO / "kb", FIXTURE_KB):
            covered: set[str] = set()
            for path in sorted((kb / entry_type.folder).glob("*.yaml")):
                data = parse_document(path.read_text(encoding="utf-8")).data
                yield entry_type, f"{path.parent.name}/{path.name}", data
                shape = _shape(data)
                if shape <= covered:
                    continue
                covered |= shape
                for label, mutated in _mutations(data):
                    yield entry_type, f"{path.parent.name}/{path.name}:{label}", mutated
    yield from _bad_input_documents()


def _shape(value, at: str = "") -> set[str]:
    """The paths of the fields in a document (list items as `[]`), to tell which are new."""
    if isinstance(value, dict):
        return {f"{at}.{key}" for key in value} | {
            path for key, item in value.items() for path in _shape(item, f"{at}.{key}")
        }
    if isinstance(value, list):
        return {path for item in value for path in _shape(item, f"{at}[]")}
    return set()


def _mutations(data):
    for key in list(data):
        without = copy.deepcopy(data)
        del without[key]
        yield f"without-{key}", without
        changed = copy.deepcopy(data)
        value = changed[key]
        changed[key] = 7 if isinstance(value, str) else "text"
        yield f"retyped-{key}", changed
    extra = copy.deepcopy(data)
    extra["unknown_field"] = "x"
    yield "extra-field", extra
    blank = copy.deepcopy(data)
    blank["title"] = "   "
    yield "blank-title", blank
    control = copy.deepcopy(data)
    control["title"] = "bad\u202echar"
    yield "control-char", control
    multi = copy.deepcopy(data)
    multi["title"] = "two\nlines"
    yield "two-line-title", multi
    html = copy.deepcopy(data)
    html["title"] = "a <i>title</i>"
    yield "html-title", html
    for key, value in data.items():
        if isinstance(value, str):
            long = copy.deepcopy(data)
            long[key] = "x" * 20_001
            yield f"too-long-{key}", long
        if isinstance(value, list) and value:
            many = copy.deepcopy(data)
            many[key] = [copy.deepcopy(value[0]) for _ in range(201)]
            yield f"too-many-{key}", many
        if key != "id":
            empty = copy.deepcopy(data)
            empty[key] = None
            yield f"null-{key}", empty
    if "evidence" in data:
        bad = copy.deepcopy(data)
        bad["evidence"][0]["link"] = "maybe"
        yield "bad-link", bad
        bad = copy.deepcopy(data)
        bad["evidence"][0]["study"] = ["survey"]
        yield "retired-study", bad
    if "authors" in data:
        bad = copy.deepcopy(data)
        bad["authors"][0] = {"given": "Only"}
        yield "author-without-family", bad
        bad = copy.deepcopy(data)
        bad["authors"][0] = {"family": "A", "literal": "B"}
        yield "author-with-both", bad


# The published schemas, checked with jsonschema's own Draft 2020-12 keywords, evaluating the
# cheap keywords of each (sub)schema first. A verdict does not depend on the order keywords are
# evaluated in, but `is_valid` stops at the first error: a list one item too long is refused by
# `maxItems` before its 201 items are walked, a missing field by `required` before the others
# are checked. That makes the documents below a fraction of a second's work instead of seconds.
CHEAP_KEYWORDS = (
    "type",
    "const",
    "enum",
    "required",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
    "uniqueItems",
    "additionalProperties",
)


def _cheap_keywords_first(schema):
    return sorted(
        schema.items(),
        key=lambda item: CHEAP_KEYWORDS.index(item[0]) if item[0] in CHEAP_KEYWORDS else 99,
    )


_Draft202012 = jsonschema.Draft202012Validator
CheapFirstValidator = jsonschema.validators.create(
    meta_schema=_Draft202012.META_SCHEMA,
    validators=_Draft202012.VALIDATORS,
    type_checker=_Draft202012.TYPE_CHECKER,
    format_checker=_Draft202012.FORMAT_CHECKER,
    id_of=_Draft202012.ID_OF,
    applicable_validators=_cheap_keywords_first,
)  # no `version`: jsonschema's own Draft 2020-12 validator stays the one registered


@functools.cache
def validators() -> dict[str, jsonschema.protocols.Validator]:
    """One validator per published schema, made once per process."""
    return {
        name.removesuffix(".schema.json"): CheapFirstValidator(json.loads(text))
        for name, text in schema_files().items()
    }


Case = tuple[EntryType, str, dict, bool]
"""An entry type, a label, a document, and whether our validator accepts it."""


@functools.cache
def cases() -> tuple[Case, ...]:
    """Every document of `_documents()` with our verdict, made once per process (not at
    import: every xdist worker imports this module, only the one running these tests needs
    them)."""
    return tuple((t, label, data, not check(t.model, data)) for t, label, data in _documents())


def _source(label: str) -> str:
    """The file a case was made from: `principles/x.yaml`, or `bad-input` for the suite's."""
    return "bad-input" if label.startswith("bad-input:") else label.partition(":")[0]


@functools.cache
def cases_by_source() -> dict[str, list[Case]]:
    grouped: dict[str, list[Case]] = {}
    for case in cases():
        grouped.setdefault(_source(case[1]), []).append(case)
    return grouped


def _sources() -> list[str]:
    """The files the cases come from, listed without parsing them (cheap at collection)."""
    names = {
        f"{entry_type.folder}/{path.name}"
        for entry_type in ENTRY_TYPES
        for kb in (REPO / "kb", FIXTURE_KB)
        for path in (kb / entry_type.folder).glob("*.yaml")
    }
    return [*sorted(names), "bad-input"]


@pytest.mark.parametrize("source", _sources())
def test_validator_and_json_schema_agree(source):
    """Each document made from one file (it, and every mutation of it) gets the same verdict
    from the published schema and from the validator; every disagreement is listed."""
    batch = cases_by_source()[source]
    assert batch, source
    schemas = validators()
    disagreements = []
    for entry_type, label, data, ours_valid in batch:
        json_valid = schemas[entry_type.name].is_valid(data)
        if json_valid != ours_valid:
            disagreements.append(f"{label}: JSON Schema valid={json_valid}, ours={ours_valid}")
    assert disagreements == []


def test_cheap_first_validator_gives_jsonschemas_own_verdicts():
    """The reordering changes the speed only: on a sample of every kind of mutation of one
    file per entry type, jsonschema's registered Draft 2020-12 validator agrees."""
    reference = {
        name.removesuffix(".schema.json"): _Draft202012(json.loads(text))
        for name, text in schema_files().items()
    }
    sample = {}
    for entry_type, label, data, _ in cases():
        kind = label.partition(":")[2].split("-")[0]
        sample.setdefault((entry_type.name, kind), (label, data))
    assert len(sample) > len(ENTRY_TYPES)
    for (type_name, _), (label, data) in sample.items():
        fast = validators()[type_name].is_valid(data)
        assert fast == reference[type_name].is_valid(data), label


def test_cases_include_both_valid_and_invalid_documents():
    assert {ours_valid for *_, ours_valid in cases()} == {True, False}
    assert any(label.startswith("bad-input:") for _, label, *_ in cases())
    # Each file of kb/ and the fixture kb contributes its documents to exactly one batch.
    assert sorted(cases_by_source()) == sorted(_sources())


def test_every_bad_input_fixture_document_is_refused_by_both_when_it_breaks_a_file_rule():
    bad = cases_by_source()["bad-input"]
    refused = [label for _, label, _, ours_valid in bad if not ours_valid]
    assert refused, "the acceptance suite holds documents that break per-file rules"


def test_registry_names_every_folder_once():
    assert len({t.folder for t in ENTRY_TYPES}) == len(ENTRY_TYPES)
    assert all(BY_NAME[t.name] is t for t in ENTRY_TYPES)


def test_every_entry_file_points_editors_at_its_schema():
    for entry_type in ENTRY_TYPES:
        for path in sorted((REPO / "kb" / entry_type.folder).glob("*.yaml")):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            expected = f"# yaml-language-server: $schema=../schema/{entry_type.name}.schema.json"
            assert first == expected, path
