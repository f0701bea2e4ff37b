"""A new entry type is one registry row, one model and one template: studies prove it."""

from __future__ import annotations

import json

import pytest

from kbsite import KBError, build_site, check_kb
from kbsite.registry import ENTRY_TYPES

STUDY = """\
id: smith-interviews
title: Smith's interview study
kind: primary
design: Semi-structured interviews with engineers.
sample_size: 12
data_collected: [interview transcripts]
peer_reviewed: true
reports: [smith-2020]
"""


def test_a_study_is_loaded_checked_linked_rendered_and_exported(kb_copy, tmp_path):
    kb_dir = kb_copy({"studies/smith-interviews.yaml": STUDY})
    site = build_site(kb_dir, tmp_path, with_history=False)
    page = site.pages["studies/smith-interviews.md"]
    assert "# Smith's interview study" in page
    assert "[A Framework of Test Principles](../citations/smith-2020.md)" in page
    exported = json.loads(site.assets["api/kb.json"])
    assert [s["id"] for s in exported["studies"]] == ["smith-interviews"]
    assert exported["counts"]["studies"] == 1
    smith = next(c for c in exported["citations"] if c["id"] == "smith-2020")
    assert {"type": "study", "id": "smith-interviews"} in smith["cited_by"]


def test_a_study_reporting_an_unknown_citation_is_refused(kb_copy, tmp_path):
    kb_dir = kb_copy({"studies/smith-interviews.yaml": STUDY.replace("[smith-2020]",
                                                                     "[smith-2021]")})
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert [str(i) for i in raised.value.issues] == [
        "kb/studies/smith-interviews.yaml:8:11: expected the id of an existing citation, found "
        "`smith-2021`\n    hint: did you mean `smith-2020`?"]


def test_every_entry_type_has_a_model_a_folder_and_an_export_name():
    assert len({t.name for t in ENTRY_TYPES}) == len(ENTRY_TYPES)
    assert len({t.export_name for t in ENTRY_TYPES}) == len(ENTRY_TYPES)
    for entry_type in ENTRY_TYPES:
        assert entry_type.model.type_name == entry_type.name
        assert entry_type.model.__doc__
