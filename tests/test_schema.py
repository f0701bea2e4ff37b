"""The published JSON Schema and the validator agree, and the committed files are current."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from kbsite.published import schema_files
from kbsite.registry import BY_NAME, ENTRY_TYPES
from kbsite.validation import check
from kbsite.yamlio import parse_document

from conftest import FIXTURE_KB, REPO
from test_bad_input import CASES as BAD_INPUT
from test_bad_input import NEW_CASES as MORE_BAD_INPUT

SCHEMA_DIR = REPO / "kb" / "schema"


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
    """Every real and fixture entry, mutated copies that break one rule each, bad input."""
    for entry_type in ENTRY_TYPES:
        for kb in (REPO / "kb", FIXTURE_KB):
            for path in sorted((kb / entry_type.folder).glob("*.yaml")):
                data = parse_document(path.read_text(encoding="utf-8")).data
                yield entry_type, f"{path.parent.name}/{path.name}", data
                for label, mutated in _mutations(data):
                    yield entry_type, f"{path.parent.name}/{path.name}:{label}", mutated
    yield from _bad_input_documents()


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


CASES = list(_documents())
VALIDATORS = {
    name.removesuffix(".schema.json"): jsonschema.Draft202012Validator(json.loads(text))
    for name, text in schema_files().items()
}


@pytest.mark.parametrize(("entry_type", "label", "data"), CASES, ids=[c[1] for c in CASES])
def test_validator_and_json_schema_agree(entry_type, label, data):
    json_valid = VALIDATORS[entry_type.name].is_valid(data)
    ours_valid = not check(entry_type.model, data)
    assert json_valid == ours_valid


def test_cases_include_both_valid_and_invalid_documents():
    outcomes = {not check(t.model, d) for t, _, d in CASES}
    assert outcomes == {True, False}
    assert any(label.startswith("bad-input:") for _, label, _ in CASES)


def test_every_bad_input_fixture_document_is_refused_by_both_when_it_breaks_a_file_rule():
    bad = [(t, label, d) for t, label, d in CASES if label.startswith("bad-input:")]
    refused = [label for t, label, d in bad if check(t.model, d)]
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
