"""The contributor path end to end: scaffold, fill, validate, build, find the page; and the
same with a mistake, asserting the exact messages a contributor sees."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from kbsite import check_kb
from kbsite.graph import build_graph
from test_site_quality import broken_links

from conftest import CliResult, copy_project, mkdocs_build, real_kb, run_kbsite


def kbsite(project, *args: str) -> CliResult:
    """`python -m kbsite ARGS` in the project copy, run in this process (conftest
    `run_kbsite`; the copy's scripts/ are this checkout's, which the installed kbsite runs)."""
    return run_kbsite(*args, cwd=project)


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


def _home_counts(site: Path, principle_id: str) -> tuple[str, str]:
    """The home page's totals sentence and the principle card's count line, as shown."""
    home = (site / "index.html").read_text(encoding="utf-8")
    totals = re.search(r"holds (\d+) benefits? and (\d+) limitations?", home)
    card = re.search(rf'<a href="principles/{principle_id}/">.*?</li>', home, re.S)
    assert totals, "the home page lost its totals sentence"
    assert card, f"the home page lost the card of {principle_id}"
    count = re.search(r"(\d+) benefits? · (\d+) limitations?", card.group(0))
    assert count, card.group(0)
    return totals.group(0), count.group(0)


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number != 1 else ''}"


def _add_with_a_new_citation(project: Path, principle: str, outcome: str) -> None:
    """CONTRIBUTING.md, step by step: `new citation`, `new benefit`, `new study`."""
    citation = kbsite(
        project,
        "new",
        "citation",
        "smith-2026",
        "--no-input",
        "--set",
        "role=primary",
        "--set",
        "entry_type=misc",
        "--set",
        "title=Rolling Back Machine Learning Models",
        "--set",
        "authors=Smith, Jane; Doe, John",
        "--set",
        "year=2026",
        "--set",
        "summary=A study of how teams roll models back.",
    )
    assert citation.returncode == 0, citation.stderr
    assert citation.stdout.startswith("kb/citations/smith-2026.yaml: created")
    benefit = kbsite(
        project,
        "new",
        "benefit",
        "faster-rollbacks",
        "--no-input",
        "--set",
        "title=Faster rollbacks",
        "--set",
        "summary=Teams return to a working model sooner.",
        "--set",
        f"principles={principle}",
        "--set",
        f"outcomes={outcome}",
        "--set",
        "citation=smith-2026",
        "--set",
        "locator=abstract",
        "--set",
        "finding=Interviewed engineers say they restore models quickly.",
    )
    assert benefit.returncode == 0, benefit.stderr
    # CONTRIBUTING.md: a cited report belongs to a study, recorded once with `new study`.
    study = kbsite(
        project,
        "new",
        "study",
        "smith-2026-study",
        "--no-input",
        *("--set", "title=Interview study of model rollbacks"),
        *("--set", "design=interviews"),
        *("--set", "kind=primary"),
        *("--set", "population=ML engineers"),
        *("--set", "sample_size=14"),
        *("--set", "sample_unit=ML engineers"),
        *("--set", "peer_reviewed=no"),
        *("--set", "reports=smith-2026"),
        *("--set", "locator=abstract"),
    )
    assert study.returncode == 0, study.stderr
    assert study.stdout.startswith("kb/studies/smith-2026-study.yaml: created")


def _add_with_an_imported_citation(project: Path, principle: str, outcome: str) -> None:
    """The other way CONTRIBUTING.md gives: `import-bibtex` for the source, then the benefit,
    and the study the command asks for."""
    (project / "paper.bib").write_text(NEW_SOURCE, encoding="utf-8")
    imported = kbsite(
        project,
        "import-bibtex",
        "paper.bib",
        "--role",
        "primary",
        "--summary",
        "An example study of how teams roll models back.",
    )
    assert imported.returncode == 0, imported.stderr
    created = kbsite(
        project,
        "new",
        "benefit",
        "quicker-restores",
        "--no-input",
        "--set",
        "title=Quicker restores",
        "--set",
        "summary=Teams bring back an earlier model sooner.",
        "--set",
        f"principles={principle}",
        "--set",
        f"outcomes={outcome}",
        "--set",
        "citation=example-2026",
        "--set",
        "locator=Section 4",
        "--set",
        "finding=The teams studied restored earlier models quickly.",
    )
    assert created.returncode == 0, created.stderr
    # A cited report belongs to a study: the command says so, and the contributor records it.
    assert "next: record the study that `example-2026` reports" in created.stdout
    study = kbsite(
        project,
        "new",
        "study",
        "example-2026-study",
        "--no-input",
        *("--set", "title=Case study of model rollbacks"),
        *("--set", "design=case-study"),
        *("--set", "kind=primary"),
        *("--set", "population=One ML team"),
        *("--set", "peer_reviewed=yes"),
        *("--set", "reports=example-2026"),
        *("--set", "locator=abstract"),
    )
    assert study.returncode == 0, study.stderr


def test_contributors_follow_contributing_md_and_every_page_shows_the_new_benefits(tmp_path):
    """Both ways CONTRIBUTING.md gives to add a benefit with its source, then validate and a
    strict build of the whole site (one build for both: it is most of the test's time)."""
    before = build_graph(real_kb())  # the real kb/, loaded once per process (conftest)
    # Any principle and outcome group: the test must not depend on which (CONTRIBUTING.md:
    # choose them). The two benefits take the first and the last of each.
    first, last = before.kb.principles[0].id, before.kb.principles[-1].id
    project = copy_project(tmp_path / "project")
    _add_with_a_new_citation(project, first, before.kb.outcomes[0].id)
    _add_with_an_imported_citation(project, last, before.kb.outcomes[-1].id)
    validated = kbsite(project, "validate")
    assert validated.returncode == 0, validated.stderr
    site = tmp_path / "site"
    build = mkdocs_build(project, site)
    assert build.returncode == 0, build.stderr

    after = build_graph(check_kb(project / "kb", project))
    assert len(after.kb.benefits) == len(before.kb.benefits) + 2
    assert len(after.kb.citations) == len(before.kb.citations) + 2
    titles = {benefit.id: benefit.title for benefit in after.kb.benefits}
    for benefit, citation, principle in (
        ("faster-rollbacks", "smith-2026", first),
        ("quicker-restores", "example-2026", last),
    ):
        page = (site / "benefits" / benefit / "index.html").read_text(encoding="utf-8")
        assert re.search(rf"<h1[^>]*>{re.escape(titles[benefit])}", page)
        assert f'href="../../citations/{citation}/"' in page
        assert f'href="../../principles/{principle}/"' in page
        linked_from = {
            "principle": (site / "principles" / principle / "index.html", "../../benefits/"),
            "benefits index": (site / "benefits" / "index.html", ""),
            "citation": (site / "citations" / citation / "index.html", "../../benefits/"),
            "evidence and gap map": (site / "evidence" / "index.html", "../benefits/"),
        }
        for name, (path, prefix) in linked_from.items():
            assert f'href="{prefix}{benefit}/"' in path.read_text(encoding="utf-8"), name
        totals, card = _home_counts(site, principle)
        assert totals == (
            f"holds {_plural(len(after.kb.benefits), 'benefit')} and "
            f"{_plural(len(after.kb.limitations), 'limitation')}"
        )
        assert card == (
            f"{_plural(len(after.benefits_of(principle)), 'benefit')} · "
            f"{_plural(len(after.limitations_of(principle)), 'limitation')}"
        )
    for principle, count in Counter((first, last)).items():
        assert len(after.benefits_of(principle)) == len(before.benefits_of(principle)) + count
    citation_page = (site / "citations" / "example-2026" / "index.html").read_text("utf-8")
    assert "rft_id=info%3Adoi%2F10.9999%2Fexample.2026" in citation_page  # COinS, for Zotero
    bibliography = (site / "references.bib").read_text(encoding="utf-8")
    assert "@misc{smith-2026," in bibliography
    assert "@inproceedings{example-2026," in bibliography
    assert broken_links(site) == []


def test_contributor_sees_exact_messages_for_a_broken_entry(tmp_path):
    # Written from an older example: it still has the retired per-evidence `study:`.
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
        "    finding: The developers restored earlier states.\n"
        "outcomes: [quality-and-reliability]\n",
        encoding="utf-8",
    )
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
        "kb/benefits/faster-rollbacks.yaml:8:5: expected no `study` in an evidence item (the "
        "field was retired), found `study`\n    hint: the study's design now comes from "
        "kb/studies/<id>.yaml, the study whose `reports` list this citation; remove `study:`\n"
        "4 errors in 1 file\n"
    )
    site = tmp_path / "site"
    build = mkdocs_build(project, site)
    assert build.returncode == 1
    assert "kb/benefits/faster-rollbacks.yaml:4:1: expected a field of a benefit" in build.stderr
    assert "Traceback" not in build.stderr
