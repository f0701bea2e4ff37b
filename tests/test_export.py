"""api/kb.json: derived from the models, described by its own JSON Schema, nothing lost."""

from __future__ import annotations

import functools
import json

import jsonschema
import pytest

from kbsite import build_site
from kbsite.registry import ENTRY_TYPES
from kbsite.yamlio import parse_document

from conftest import REPO, real_kb, real_site

KB = real_kb()
# One worker reads the git history for all of them (the last_changed dates come from it).
pytestmark = pytest.mark.xdist_group("history")


@functools.cache
def _export() -> dict:
    """api/kb.json of the real kb, rendered on first use (not when a worker imports this)."""
    return json.loads(real_site(with_history=True).assets["api/kb.json"])


def test_export_is_valid_against_its_published_schema():
    schema = json.loads(real_site(with_history=True).assets["api/kb.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(_export())
    assert _export()["$schema"] == "kb.schema.json"
    assert isinstance(_export()["schema_version"], int)


def test_every_entry_is_exported_with_the_fields_its_yaml_file_holds():
    for entry_type in ENTRY_TYPES:
        exported = {item["id"]: item for item in _export()[entry_type.export_name]}
        assert sorted(exported) == sorted(e.id for e in KB.of_type(entry_type.name))
        for entry in KB.of_type(entry_type.name):
            written = parse_document((REPO / entry.source.path).read_text(encoding="utf-8")).data
            item = exported[entry.id]
            assert item["source_file"] == entry.source.path
            for name, value in written.items():
                if value in ([], {}):
                    continue
                assert name in item, (entry.id, name)
                if isinstance(value, str):
                    assert item[name] == value.strip(), (entry.id, name)


def test_citations_keep_their_own_url_and_get_their_page_address_apart():
    for item in _export()["citations"]:
        citation = next(c for c in KB.citations if c.id == item["id"])
        assert item.get("url", "") == citation.url
        assert item["page"] == f"citations/{citation.id}/"


def test_last_changed_is_a_date_or_null():
    for entry_type in ENTRY_TYPES:
        for item in _export()[entry_type.export_name]:
            date = item["last_changed"]
            assert date is None or (len(date) == 10 and date[4] == "-" and date[7] == "-")


def test_export_is_deterministic():
    again = build_site(REPO / "kb", REPO)
    first = real_site(with_history=True)
    assert again.assets["api/kb.json"] == first.assets["api/kb.json"]
    assert again.assets["api/kb.schema.json"] == first.assets["api/kb.schema.json"]
