"""Studies, tensions, overrides and ratings wired into the knowledge base: exact messages on bad
input, the vocabularies the rules need, and the real knowledge base's ratings against golden."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kbsite import KBError, check_kb, confidence, vocabulary
from kbsite.export_csv import COLUMNS, export_findings_csv
from kbsite.markdown import md_inline
from kbsite.pipeline import build_site
from kbsite.ratings import evaluate

from conftest import FIXTURE_KB, REPO, fixture_site, real_site

B = "kb/benefits/faster-things.yaml"
BENEFIT = (FIXTURE_KB / "benefits" / "faster-things.yaml").read_text(encoding="utf-8")
DOE = (FIXTURE_KB / "studies" / "doe-2021-study.yaml").read_text(encoding="utf-8")
SMITH = (FIXTURE_KB / "studies" / "smith-2020-study.yaml").read_text(encoding="utf-8")
RATINGS_GOLDEN = Path(__file__).parent / "golden" / "kb_ratings.json"
END = BENEFIT.count("\n")
"""Lines of the fixture benefit: text appended to it starts on line END + 1."""

CASES = {
    "citation in no study": (
        {
            "studies/doe-2021-study.yaml": None,
            "studies/smith-2020-study.yaml": SMITH.replace(
                "overlaps:\n  - {study: doe-2021-study, note: Some authors took part in both.}\n",
                "",
            ),
        },
        [
            f"{B}:9:15: expected citation `doe-2021` to be a report of a study, found no study "
            "that lists it in `reports`\n    hint: add `doe-2021` to `reports` of its study in "
            "kb/studies/, or add kb/studies/doe-2021-study.yaml",
            "kb/limitations/more-effort.yaml:8:15: expected citation `doe-2021` to be a report "
            "of a study, found no study that lists it in `reports`\n    hint: add `doe-2021` to "
            "`reports` of its study in kb/studies/, or add kb/studies/doe-2021-study.yaml",
        ],
    ),
    "citation in two studies": (
        {
            "studies/smith-2020-study.yaml": SMITH.replace(
                "reports: [smith-2020]", "reports: [smith-2020, doe-2021]"
            )
        },
        [
            "kb/studies/smith-2020-study.yaml:9:23: expected each citation in one study's "
            "`reports`, found `doe-2021` also in kb/studies/doe-2021-study.yaml\n"
            "    hint: a report belongs to one study; remove it from one of them"
        ],
    ),
    "override without reason": (
        {
            "benefits/faster-things.yaml": BENEFIT + "confidence:\n  overrides:\n"
            "    - {component: adequacy, concern: minor}\n"
        },
        [
            f"{B}:{END + 3}:7: override of adequacy of data: a written reason is required, found "
            "none; say in one sentence why the computed concern is wrong\n"
            "    hint: add `reason:` with the editors' reasoning"
        ],
    ),
    "tension to a missing finding": (
        {
            "benefits/faster-things.yaml": BENEFIT + "tensions:\n"
            "  - {finding: slower-things, note: Different teams.}\n"
        },
        [
            f"{B}:{END + 2}:15: expected the id of an existing benefit or limitation, found "
            "`slower-things`\n    hint: did you mean `faster-things`?"
        ],
    ),
    "peer review as text": (
        {"studies/doe-2021-study.yaml": DOE.replace("peer_reviewed: false", 'peer_reviewed: "no"')},
        [
            "kb/studies/doe-2021-study.yaml:9:16: expected true or false, found the text 'no'\n"
            "    hint: write `true` or `false` without quotes"
        ],
    ),
}


@pytest.mark.parametrize(("changes", "expected"), list(CASES.values()), ids=list(CASES))
def test_bad_evidence_input_is_reported_exactly(kb_copy, tmp_path, changes, expected):
    kb_dir = kb_copy(changes)
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert [str(issue) for issue in raised.value.issues] == sorted(expected)


def test_model_vocabularies_are_the_ones_the_rules_judge():
    assert set(vocabulary.STUDY_DESIGNS.names) == set(confidence.DESIGNS)
    assert vocabulary.LINK_KINDS.names == confidence.LINKS
    assert vocabulary.STUDY_KINDS.names == confidence.KINDS
    assert vocabulary.CONFIDENCE_COMPONENTS.names == tuple(c.value for c in confidence.COMPONENTS)
    assert vocabulary.CONCERNS.names == tuple(c.value for c in confidence.CONCERNS)


def test_tensions_show_on_both_findings(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": BENEFIT + "tensions:\n"
            "  - {finding: more-effort, note: Different teams.}\n"
        }
    )
    site = build_site(kb_dir, tmp_path, with_history=False)
    for page, other in (
        ("benefits/faster-things.md", "More effort"),
        ("limitations/more-effort.md", "Faster things"),
    ):
        assert f"Pulls the other way: [{other}]" in site.pages[page]
    assert "In tension with" in json.dumps(json.loads(site.assets["api/kb.json"])["confidence"])


def test_override_is_shown_as_editors_judgement(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": BENEFIT + "confidence:\n  overrides:\n"
            "    - {component: relevance, concern: serious, reason: Wrong sector.}\n"
        }
    )
    site = build_site(kb_dir, tmp_path, with_history=False)
    row = next(
        line
        for line in site.pages["benefits/faster-things.md"].splitlines()
        if line.startswith("| [Relevance]")
    )
    assert "Serious: editors' judgement (computed: " in row
    assert "Wrong sector." in row


def test_rules_page_and_ratings_move_together(monkeypatch):
    """Change one threshold: the generated page and a rating both change."""
    kb = check_kb(FIXTURE_KB, REPO)
    before_page = fixture_site().pages
    before = evaluate(kb).ratings
    stricter = confidence.RuleSet(small_sample=100, modest_sample=200)
    monkeypatch.setattr(confidence, "DEFAULT_RULES", stricter)
    monkeypatch.setattr(confidence.rules_page_context, "__defaults__", (stricter,))
    monkeypatch.setattr(confidence.rate_all, "__defaults__", (stricter,))
    after_page = build_site(FIXTURE_KB, REPO, with_history=False).pages
    after = evaluate(kb).ratings
    assert before_page["evidence/confidence.md"] != after_page["evidence/confidence.md"]
    assert [r.to_dict() for r in before.values()] != [r.to_dict() for r in after.values()]


def test_ratings_are_computed_once_per_knowledge_base():
    """The build asks three times; a knowledge base read again is rated again, the same."""
    kb = check_kb(FIXTURE_KB, REPO)
    first = kb.evidence
    assert kb.evidence is first
    again = check_kb(FIXTURE_KB, REPO).evidence
    assert again is not first
    assert [r.to_dict() for r in again.ratings.values()] == [
        r.to_dict() for r in first.ratings.values()
    ]
    assert [r.to_dict() for r in evaluate(kb).ratings.values()] == [
        r.to_dict() for r in first.ratings.values()
    ]


def test_csv_has_one_row_per_finding_and_study():
    kb = check_kb(REPO / "kb", REPO)
    evidence = evaluate(kb)
    rows = list(csv.DictReader(io.StringIO(export_findings_csv(kb, evidence))))
    assert list(rows[0]) == [name for name, _ in COLUMNS]
    expected = sorted((f.id, s.id) for f in kb.findings for s in evidence.studies_of(f))
    assert [(r["finding"], r["study"]) for r in rows] == expected
    findings = {f.id: f for f in kb.findings}
    for row in rows:
        assert row["confidence"] == evidence.ratings[row["finding"]].level.value
        items = [
            e
            for e in findings[row["finding"]].evidence
            if evidence.study_of_citation[e.citation].id == row["study"]
        ]
        assert row["stated_as"].split(";") == [e.stated_as for e in items]
    assert any("background" in row["stated_as"] for row in rows) == any(
        e.stated_as == "background" for f in kb.findings for e in f.evidence
    )


def test_real_kb_ratings_match_golden(update_golden):
    """The real knowledge base's ratings, reviewed as a golden file (pytest --update-golden)."""
    ratings = evaluate(check_kb(REPO / "kb", REPO)).ratings
    text = json.dumps([r.to_dict() for r in ratings.values()], indent=2, ensure_ascii=False) + "\n"
    if update_golden:
        RATINGS_GOLDEN.write_text(text, encoding="utf-8")
    assert text == RATINGS_GOLDEN.read_text(encoding="utf-8"), "run pytest --update-golden"


def _evidence_line(page: str) -> str:
    (line,) = [x for x in page.splitlines() if x.startswith("**Evidence:**")]
    return line


def test_principle_pages_count_independent_studies_and_their_participants():
    site = real_site()
    graph = site.graph
    evidence = evaluate(graph.kb)
    for principle in graph.kb.principles:
        line = _evidence_line(site.pages[f"principles/{principle.id}.md"])
        own = graph.benefits_of(principle.id) + graph.limitations_of(principle.id)
        if not own:
            assert "no benefit or limitation of this principle" in line
            continue
        count = evidence.study_count(own)
        assert f"drawn from {count} independent stud{'ies' if count != 1 else 'y'} " in line
        participants = evidence.participants(own)
        if participants:
            assert f"{participants:,} participants or cases in the primary studies" in line


def test_a_study_published_twice_counts_once_on_the_principle_page(kb_copy, tmp_path):
    original = fixture_site()
    before = _evidence_line(original.pages["principles/alpha.md"])
    papers = len(original.graph.citations_of(original.graph.principles["alpha"]))
    second_report = (
        (FIXTURE_KB / "citations" / "doe-2021.yaml")
        .read_text(encoding="utf-8")
        .replace("id: doe-2021", "id: doe-2022")
        .replace("year: 2021", "year: 2022")
        .replace('arxiv: {id: "2101.00001", primary_class: cs.SE}\n', "")
        .replace("related:\n  - {citation: smith-2020, relation: similar-study}\n", "")
    )
    kb_dir = kb_copy(
        {
            "citations/doe-2022.yaml": second_report,
            "studies/doe-2021-study.yaml": DOE.replace(
                "reports: [doe-2021]", "reports: [doe-2021, doe-2022]"
            ),
            "benefits/faster-things.yaml": BENEFIT.replace(
                "evidence:\n",
                "evidence:\n  - citation: doe-2022\n    locator: abstract\n    link: inferred\n"
                "    finding: The journal version says the same.\n",
            ),
        }
    )
    site = build_site(kb_dir, tmp_path, with_history=False)
    after = _evidence_line(site.pages["principles/alpha.md"])
    assert len(site.graph.citations_of(site.graph.principles["alpha"])) == papers + 1
    assert after == before  # the same studies and participants


def test_an_overlap_shows_on_both_studies_pages():
    """Declared in one study's file, an overlap names the other study on both pages."""
    site = real_site()
    studies = {s.id: s for s in site.graph.kb.studies}
    declared = [(s, o) for s in studies.values() for o in s.overlaps]
    assert declared, "the real kb/ declares no overlap to check"
    for study, overlap in declared:
        for here, there in ((study, studies[overlap.study]), (studies[overlap.study], study)):
            page = site.pages[f"studies/{here.id}.md"]
            section = page.split("## Overlaps with other studies", 1)[1].split("\n## ", 1)[0]
            assert f"]({there.id}.md)" in section, (here.id, there.id)
        # its own file's note, not the other's, where both declare the overlap
        own = site.pages[f"studies/{study.id}.md"]
        line = next(
            x for x in own.splitlines() if x.startswith("- [") and f"]({overlap.study}.md)" in x
        )
        assert line.endswith(md_inline(overlap.note)), (study.id, overlap.study)
