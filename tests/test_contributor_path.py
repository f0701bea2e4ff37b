"""The contributor path end to end: scaffold, fill, validate, build, find the page; and the
same with a mistake, asserting the exact messages a contributor sees."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import copy_project, mkdocs_build


def kbsite(project, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project / "scripts")}
    return subprocess.run([sys.executable, "-m", "kbsite", *args], cwd=project, env=env,
                          capture_output=True, text=True, check=False)


NEW_SOURCE = """\
@inproceedings{example-2026,
  author = {Example, Ada and Sample, Ben},
  title = {An Example Study of {MLOps} Rollbacks},
  booktitle = {Proceedings of an Example Conference},
  year = {2026},
  pages = {1--10},
  doi = {10.9999/example.2026}
}
"""


def test_contributor_adds_a_benefit_with_a_new_citation(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "paper.bib").write_text(NEW_SOURCE, encoding="utf-8")
    imported = kbsite(project, "import-bibtex", "paper.bib", "--role", "primary",
                      "--summary", "An example study of how teams roll models back.")
    assert imported.returncode == 0, imported.stderr
    created = kbsite(project, "new", "benefit", "faster-rollbacks", "--no-input",
                     "--set", "title=Faster rollbacks",
                     "--set", "summary=Teams return to a working model sooner.",
                     "--set", "principles=versioning", "--set", "citation=example-2026",
                     "--set", "locator=Section 4", "--set", "study=case-study",
                     "--set", "finding=The teams studied restored earlier models quickly.")
    assert created.returncode == 0, created.stderr
    # A cited report belongs to a study: the contributor records the study once.
    (project / "kb" / "studies" / "example-2026-study.yaml").write_text(
        "id: example-2026-study\ntitle: Case study of model rollbacks\ndesign: case-study\n"
        "kind: primary\npopulation: One ML team\npeer_reviewed: true\n"
        "reports: [example-2026]\nlocator: abstract\n", encoding="utf-8")
    assert kbsite(project, "validate").returncode == 0
    site = tmp_path / "site"
    build = mkdocs_build(project, site)
    assert build.returncode == 0, build.stderr
    page = (site / "benefits" / "faster-rollbacks" / "index.html").read_text(encoding="utf-8")
    assert "Faster rollbacks" in page
    assert 'href="../../citations/example-2026/"' in page
    principle = (site / "principles" / "versioning" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../benefits/faster-rollbacks/"' in principle
    citation = (site / "citations" / "example-2026" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../benefits/faster-rollbacks/"' in citation
    assert '<meta name="citation_doi" content="10.9999/example.2026">' in citation
    assert "@inproceedings{example-2026," in (site / "references.bib").read_text(
        encoding="utf-8")


def test_contributor_sees_exact_messages_for_a_broken_entry(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "kb" / "benefits" / "faster-rollbacks.yaml").write_text(
        "id: faster-rollback\n"
        "title: Faster rollbacks\n"
        "summary: Teams return to a working model sooner.\n"
        "principels: [versioning]\n"
        "evidence:\n"
        "  - citation: araujo-2025\n"
        "    locator: abstract\n"
        "    study: [focus group]\n"
        "    link: inferred\n"
        "    finding: The developers restored earlier states.\n", encoding="utf-8")
    result = kbsite(project, "validate")
    assert result.returncode == 1
    assert result.stderr == (
        "kb/benefits/faster-rollbacks.yaml:1:1: expected field `principles` in this benefit, "
        "found none\n    hint: add `principles:` to the benefit\n"
        "kb/benefits/faster-rollbacks.yaml:1:5: expected the id to equal the file name "
        "`faster-rollbacks`, found `faster-rollback`\n    hint: rename the file to "
        "faster-rollback.yaml or set `id: faster-rollbacks`\n"
        "kb/benefits/faster-rollbacks.yaml:4:1: expected a field of a benefit, found unknown "
        "field `principels`\n    hint: did you mean `principles`?\n"
        "kb/benefits/faster-rollbacks.yaml:8:13: expected one of `focus-group`, `survey`, "
        "`interviews`, `literature-review`, `tool-review`, `case-study`, `hands-on-project`, "
        "`ethnography`, `experiment`, `mixed-methods`, found 'focus group'\n"
        "    hint: did you mean `focus-group`?\n"
        "4 errors in 1 file\n")
    site = tmp_path / "site"
    build = mkdocs_build(project, site)
    assert build.returncode == 1
    assert "kb/benefits/faster-rollbacks.yaml:4:1: expected a field of a benefit" in build.stderr
    assert "Traceback" not in build.stderr
