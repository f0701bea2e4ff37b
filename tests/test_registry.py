"""A new entry type is one registry row, one model and one template: studies prove it."""

from __future__ import annotations

from kbsite.registry import ENTRY_TYPES


def test_every_entry_type_has_a_model_a_folder_and_an_export_name():
    assert len({t.name for t in ENTRY_TYPES}) == len(ENTRY_TYPES)
    assert len({t.export_name for t in ENTRY_TYPES}) == len(ENTRY_TYPES)
    for entry_type in ENTRY_TYPES:
        assert entry_type.model.type_name == entry_type.name
        assert entry_type.model.__doc__
