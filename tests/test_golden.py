"""Rendered output of the fixture KB, compared file by file with tests/golden/kb_min."""

from __future__ import annotations

import difflib
import json
import shutil

from kbsite import build_site

from conftest import FIXTURE_KB, GOLDEN, REPO, fixture_site

FRAGMENTS = GOLDEN.with_name(GOLDEN.name + ".fragments.json")
"""The sanitised HTML of the Markdown fields, which the pages name by token only (kept beside
the golden tree, which holds exactly what `kbsite build --out` writes)."""


def fragments_json(site) -> str:
    return json.dumps(site.fragments, indent=2, ensure_ascii=False) + "\n"


def test_fixture_kb_renders_to_golden_tree(update_golden):
    site = fixture_site()
    outputs = site.outputs
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        FRAGMENTS.write_text(fragments_json(site), encoding="utf-8")
        for name, text in outputs.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file()
    }
    assert sorted(outputs) == sorted(expected), "run pytest --update-golden and review"
    for name, text in outputs.items():
        if text != expected[name]:
            diff = "".join(
                difflib.unified_diff(
                    expected[name].splitlines(True), text.splitlines(True), f"golden/{name}", name
                )
            )
            raise AssertionError(f"{name} differs from its golden copy:\n{diff}")
    assert fragments_json(site) == FRAGMENTS.read_text(encoding="utf-8"), (
        "run pytest --update-golden and review"
    )


def test_rendering_is_deterministic():
    first, second = (build_site(FIXTURE_KB, REPO, with_history=False) for _ in range(2))
    assert first.outputs == second.outputs
    assert first.fragments == second.fragments
