"""The home page: every number and entry it names comes from the knowledge base."""

from __future__ import annotations

import shutil

import pytest

from kbsite import KBError, build_site
from kbsite.render import count_word

from conftest import REPO, real_site


def test_a_home_page_link_to_a_renamed_entry_is_a_build_error_naming_the_template(tmp_path):
    shutil.copytree(REPO / "kb", tmp_path / "kb")
    texts = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "kb").rglob("*.yaml")}
    # Rename skill-gaps everywhere the knowledge base refers to it; only the template is left.
    for path, text in texts.items():
        path.write_text(text.replace("skill-gaps", "skills-gap"), encoding="utf-8")
    (tmp_path / "kb" / "limitations" / "skill-gaps.yaml").rename(
        tmp_path / "kb" / "limitations" / "skills-gap.yaml"
    )
    with pytest.raises(KBError) as raised:
        build_site(tmp_path / "kb", tmp_path, with_history=False)
    [issue] = raised.value.issues
    assert issue.path == "scripts/kbsite/templates/home.md.j2"
    assert issue.line > 0
    assert issue.message == "expected the id of an existing entry, found `skill-gaps`"


def test_home_page_numbers_come_from_the_knowledge_base():
    site = real_site()
    home = site.pages["index.md"]
    kb = site.graph.kb
    assert f"## The {count_word(len(kb.principles))} principles" in home
    for citation in kb.citations:
        for sample in citation.study.samples if citation.study else ():
            if citation.id in home:
                assert f"{sample.size} {sample.unit}" in home
