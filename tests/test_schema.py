"""The published JSON Schema and the validator agree, and the committed files are current."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from kbsite.cli import schema_files
from kbsite.schema import ENTRY_TYPES
from kbsite.validate import check
from kbsite.yamlio import parse_document

from conftest import FIXTURE_KB, REPO

SCHEMA_DIR = REPO / "kb" / "schema"


@pytest.mark.parametrize("name", sorted(schema_files()))
def test_committed_schema_matches_declarations(name):
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == schema_files()[name], "run `make schema` and commit kb/schema/"


def _documents():
    """Every real and fixture entry, plus mutated copies that break one rule each."""
    for entry_type in ENTRY_TYPES:
        for kb in (REPO / "kb", FIXTURE_KB):
            for path in sorted((kb / entry_type.folder).glob("*.yaml")):
                data = parse_document(path.read_text(encoding="utf-8")).data
                yield entry_type, f"{path.parent.name}/{path.name}", data
                for label, mutated in _mutations(data):
                    yield entry_type, f"{path.parent.name}/{path.name}:{label}", mutated


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
    if "evidence" in data:
        bad = copy.deepcopy(data)
        bad["evidence"][0]["link"] = "maybe"
        yield "bad-link", bad
        bad = copy.deepcopy(data)
        bad["evidence"][0]["study"] = ["survey", "survey"]
        yield "repeated-study", bad
    if "authors" in data:
        bad = copy.deepcopy(data)
        bad["authors"][0] = {"given": "Only"}
        yield "author-without-family", bad
        bad = copy.deepcopy(data)
        bad["authors"][0] = {"family": "A", "literal": "B"}
        yield "author-with-both", bad


CASES = list(_documents())


@pytest.mark.parametrize(("entry_type", "label", "data"), CASES, ids=[c[1] for c in CASES])
def test_validator_and_json_schema_agree(entry_type, label, data):
    schema = json.loads(schema_files()[f"{entry_type.name}.schema.json"])
    json_valid = jsonschema.Draft202012Validator(schema).is_valid(data)
    ours_valid = not list(check(entry_type.record, data))
    assert json_valid == ours_valid


def test_mutations_include_both_valid_and_invalid_documents():
    outcomes = {not list(check(t.record, d)) for t, _, d in CASES}
    assert outcomes == {True, False}


def test_every_entry_file_points_editors_at_its_schema():
    for entry_type in ENTRY_TYPES:
        for path in sorted((REPO / "kb" / entry_type.folder).glob("*.yaml")):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            expected = f"# yaml-language-server: $schema=../schema/{entry_type.name}.schema.json"
            assert first == expected, path
