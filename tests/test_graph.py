from kbsite import check_kb
from kbsite.graph import build_graph

from conftest import FIXTURE_KB, REPO

GRAPH = build_graph(check_kb(FIXTURE_KB, REPO))


def test_findings_hang_under_their_principles_and_cross_cutting_apart():
    assert [f.id for f in GRAPH.benefits_of("alpha")] == ["faster-things"]
    assert GRAPH.limitations_of("alpha") == ()
    assert GRAPH.findings_of_principle["beta"] == ()
    assert [f.id for f in GRAPH.cross_cutting] == ["more-effort"]


def test_related_principles_are_two_way():
    assert GRAPH.related_principles["alpha"] == ("beta",)
    assert GRAPH.related_principles["beta"] == ("alpha",)


def test_citations_know_who_cites_them():
    cited_by = {key: sorted(e.id for e in entries) for key, entries in GRAPH.cited_by.items()}
    # A study lists its reports, so each citation's page links back to its study.
    assert cited_by == {
        "doe-2021": ["doe-2021-study", "faster-things", "more-effort"],
        "smith-2020": ["alpha", "beta", "faster-things", "smith-2020-study"],
    }


def test_related_sources_get_the_inverse_relation():
    assert [(r.citation, r.relation) for r in GRAPH.related_citations["smith-2020"]] == [
        ("doe-2021", "similar-study")
    ]


def test_questions_and_tags_are_indexed():
    assert [q.id for q in GRAPH.questions_of_principle["beta"]] == ["beta-evidence"]
    assert sorted(GRAPH.tags) == ["automation"]
    assert sorted(e.id for e in GRAPH.tags["automation"]) == ["alpha", "faster-things"]
