"""The guide evaluator, its table, the checks on guide data, and the real guides' behaviour.

The fixture guide (tests/fixtures/kb_min/guides/pick.yaml) pins the semantics; the real guides
are checked over every combination of answers, against the definitions written out again here
(so a slip in the evaluator cannot hide behind itself), and against the situations in
tests/guide_situations.yaml.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest
import yaml

from kbsite import KBError, check_kb, confidence, ratings
from kbsite.export_json import export_guide_table
from kbsite.graph import build_graph
from kbsite.guide_checks import report
from kbsite.guide_view import guide_data
from kbsite.guides import POINTS, build_tables
from kbsite.model import Guide

from conftest import FIXTURE_KB, REPO, fixture_site, real_kb

KB = check_kb(FIXTURE_KB, REPO)
GUIDE = KB.guides[0]
TABLE = build_tables(KB, ratings.evaluate(KB).ratings)[GUIDE.id]
REAL = real_kb()
REAL_EVIDENCE = ratings.evaluate(REAL)
REAL_TABLES = build_tables(REAL, REAL_EVIDENCE.ratings)
FINDINGS = {f.id: f for f in REAL.findings}
SITUATIONS = yaml.safe_load((REPO / "tests" / "guide_situations.yaml").read_text(encoding="utf-8"))


def _guide(guide_id: str) -> Guide:
    return next(g for g in REAL.guides if g.id == guide_id)


# ---------------------------------------------------------------------------------------------
# Semantics, on the fixture guide


def test_evidence_decides_where_a_benefit_or_drawback_fits():
    recs = TABLE.recommendations({"size": "large", "speed": "fast"})
    alpha = recs["alpha"]
    # faster-things fits: its context names a larger application, which `large` places you in.
    assert (alpha.level, alpha.by_evidence, alpha.balance) == ("now", True, "for")
    assert [w.finding for w in alpha.side("for")] == ["faster-things"]
    assert alpha.confidence is confidence.Level.MODERATE
    # A small project is not in the finding's setting: only the drawback fits (its `when`).
    small = TABLE.recommendations({"size": "small", "speed": "slow"})["alpha"]
    assert (small.level, small.balance, [w.finding for w in small.weighed]) == (
        "later",
        "against",
        ["more-effort"],
    )


def test_points_weigh_by_confidence_and_the_balance_takes_both_sides():
    both = TABLE.recommendations({"size": "large", "speed": "slow"})["alpha"]
    assert [w.side for w in both.weighed] == ["for", "against"]
    assert (both.points_for, both.points_against) == (
        POINTS[confidence.Level.MODERATE],
        POINTS[confidence.Level.LOW],
    )
    assert both.balance == "for"


def test_rules_decide_only_where_the_evidence_is_silent():
    beta = TABLE.recommendations({"size": "large", "speed": "slow"})["beta"]
    assert (beta.level, beta.by_evidence, beta.balance, beta.rule) == ("now", False, "silent", 0)
    assert beta.judgement == "Large projects need it."
    assert beta.about == ("faster-things",)
    fast = TABLE.recommendations({"size": "large", "speed": "fast"})["beta"]
    assert (fast.level, fast.by_evidence) == ("later", True)  # the drawback fits: no rule
    default = TABLE.recommendations({"size": "small", "speed": "slow"})["beta"]
    assert (default.level, default.rule, default.judgement) == (
        "later",
        None,
        "Nothing pushes for it.",
    )


def test_combinations_run_first_question_slowest_and_round_trip():
    every = list(TABLE.combinations())
    assert every == list(itertools.product(range(2), range(2)))
    assert TABLE.combination_count == len(every) == 4
    for combination in every:
        assert TABLE.combination_of(TABLE.answers_of(combination)) == combination


def test_what_would_change_it_and_the_plan():
    combination = TABLE.combination_of({"size": "large", "speed": "slow"})
    alpha, beta = TABLE.views(combination)
    # Only answering `small` moves alpha; nothing about speed does, given `large`.
    assert [(c.question, c.option, c.level) for c in alpha.changes] == [(0, 0, "later")]
    assert {(c.question, c.option, c.level) for c in beta.changes} == {
        (0, 0, "later"),
        (1, 1, "later"),
    }
    # Both are `now`: the evidence-decided one comes first.
    assert TABLE.plan(combination) == (0, 1)
    assert TABLE.plan(TABLE.combination_of({"size": "small", "speed": "fast"})) == ()


def test_the_site_publishes_each_guide_table_and_links_it_from_the_page():
    site = fixture_site()
    assert json.loads(site.assets["api/guides/pick.json"]) == json.loads(export_guide_table(TABLE))
    assert "(../api/guides/pick.json)" in site.pages["guides/pick.md"]


def test_report_counts_distinct_sets_of_recommendations():
    assert len(TABLE.level_sets()) == 3
    assert report(TABLE) == (
        "tests/fixtures/kb_min/guides/pick.yaml: 4 combinations of answers give 3 distinct "
        "sets of recommendations; each of its 2 questions changes some level"
    )


# ---------------------------------------------------------------------------------------------
# The real guides, over every combination of answers


@pytest.fixture(params=[g.id for g in REAL.guides])
def real(request):
    return REAL_TABLES[request.param]


def test_the_two_guides_exist_and_cover_the_principles():
    assert {g.id for g in REAL.guides} == {"invest-now", "ready-to-adopt"}
    invest = _guide("invest-now")
    assert sorted(s.subject for s in invest.subjects) == sorted(p.id for p in REAL.principles)


def test_the_real_guides_pass_the_validator_and_print_their_reach(real):
    line = report(real)
    assert line.startswith(f"{real.guide.source.path}: {real.combination_count} combinations")
    assert len(real.level_sets()) > len(real.guide.questions)


def test_every_question_changes_some_level_for_some_other_answers(real):
    """Exactly, by brute force over every combination and every other answer."""
    guide = real.guide
    for q_index, question in enumerate(guide.questions):
        changes = False
        for combination in real.combinations():
            levels = [v.recommendation.level for v in real.views(combination)]
            for option in range(len(question.options)):
                moved = (*combination[:q_index], option, *combination[q_index + 1 :])
                if [v.recommendation.level for v in real.views(moved)] != levels:
                    changes = True
                    break
            if changes:
                break
        assert changes, question.id


def test_what_would_change_it_is_every_single_answer_that_moves_the_level(real):
    guide = real.guide
    for combination in real.combinations():
        views = real.views(combination)
        expected: list[set] = [set() for _ in views]
        for q_index, question in enumerate(guide.questions):
            for option in range(len(question.options)):
                if option == combination[q_index]:
                    continue
                moved = (*combination[:q_index], option, *combination[q_index + 1 :])
                for s_index, moved_view in enumerate(real.views(moved)):
                    level = moved_view.recommendation.level
                    if level != views[s_index].recommendation.level:
                        expected[s_index].add((q_index, option, level))
        for view, wanted in zip(views, expected, strict=True):
            assert {(c.question, c.option, c.level) for c in view.changes} == wanted


def _holds(guide, conditions, combination):
    options = {q.id: (i, [o.id for o in q.options]) for i, q in enumerate(guide.questions)}
    return all(
        options[c.question][1][combination[options[c.question][0]]] in c.options for c in conditions
    )


def _fits(guide, finding, combination):
    """A finding's context fits the answers: written out again from CONTRIBUTING.md."""
    for facet in confidence.CONTEXT_FACETS:
        wanted = set(getattr(finding.context, facet)) - {"any"}
        asked = any(getattr(o.context, facet) for q in guide.questions for o in q.options)
        if not wanted or not asked:
            continue
        given = {
            value
            for q, o in zip(guide.questions, combination, strict=True)
            for value in getattr(q.options[o].context, facet)
        }
        if not wanted & given:
            return False
    return True


def test_no_reason_shown_contradicts_an_answer(real):
    """Every finding shown fits the answers and its `when`; every judgement's rule holds."""
    guide = real.guide
    for combination in real.combinations():
        for subject, view in zip(guide.subjects, real.views(combination), strict=True):
            rec = view.recommendation
            for weighed in rec.weighed:
                item = subject.evidence[weighed.item]
                assert item.finding == weighed.finding
                assert _holds(guide, item.when, combination), (subject.subject, item.finding)
                assert _fits(guide, FINDINGS[item.finding], combination), item.finding
            if rec.by_evidence:
                assert not rec.judgement
                continue
            if rec.rule is None:
                assert not any(_holds(guide, r.when, combination) for r in subject.rules)
                assert rec.judgement == subject.default.judgement
            else:
                assert _holds(guide, subject.rules[rec.rule].when, combination)
                earlier = subject.rules[: rec.rule]
                assert not any(_holds(guide, r.when, combination) for r in earlier)
            for finding in rec.about:
                assert _fits(guide, FINDINGS[finding], combination), finding


def test_defaults_speak_of_no_particular_situation(real):
    """Situational reasons ("you report ...") belong to rules, whose `when` gives the situation."""
    for subject in real.guide.subjects:
        assert not re.search(
            r"\byou (report|have|said|answered|run|use)\b", subject.default.judgement, re.I
        ), subject.subject


def test_fitting_evidence_is_exactly_the_items_whose_conditions_and_context_hold(real):
    guide = real.guide
    for combination in real.combinations():
        for subject, view in zip(guide.subjects, real.views(combination), strict=True):
            expected = {
                i
                for i, item in enumerate(subject.evidence)
                if _holds(guide, item.when, combination)
                and _fits(guide, FINDINGS[item.finding], combination)
            }
            assert {w.item for w in view.recommendation.weighed} == expected


def test_levels_follow_the_weighing_written_out_again(real):
    guide = real.guide
    cases = {
        (case.balance, value): level.id
        for level in guide.levels
        for case in level.from_evidence
        for value in case.confidence or ("high", "moderate", "low", "very-low")
    }
    for combination in real.combinations():
        for view in real.views(combination):
            rec = view.recommendation
            pro = [w for w in rec.weighed if w.side == "for"]
            con = [w for w in rec.weighed if w.side == "against"]
            cost = [w for w in rec.weighed if w.side == "cost"]
            b, d, c = (sum(POINTS[w.level] for w in side) for side in (pro, con, cost))
            assert (rec.points_for, rec.points_against, rec.points_cost) == (b, d, c)
            if not pro and not con:
                assert not rec.by_evidence
                continue
            balance = "for" if b > d + c else "costly" if b > d else "even" if b == d else "against"
            leading = {"for": pro, "costly": pro, "even": pro + con, "against": con}[balance]
            strongest = max((w.level for w in leading), key=lambda level: level.rank)
            given = cases.get((balance, strongest.value.replace(" ", "-")))
            assert rec.balance == balance
            assert rec.by_evidence == (given is not None)
            if given is not None:
                assert (rec.level, rec.confidence) == (given, strongest)


def test_benefits_never_weigh_as_costs_and_costs_never_as_reasons_for(real):
    for combination in real.combinations():
        for subject, view in zip(real.guide.subjects, real.views(combination), strict=True):
            for weighed in view.recommendation.weighed:
                finding = FINDINGS[weighed.finding]
                if finding.type == "benefit":
                    assert weighed.side == "for"
                elif finding.limitation_kind != "drawback" and weighed.side == "for":
                    # a challenge counts for only where it is the subject's own finding or
                    # the editors say so explicitly
                    assert subject.evidence[weighed.item].counts == "for"


def test_the_plan_orders_the_plan_levels_strongest_first(real):
    guide = real.guide
    order = [level.id for level in guide.levels]
    for combination in real.combinations():
        views = real.views(combination)
        plan = real.plan(combination)
        chosen = [i for i, v in enumerate(views) if v.recommendation.level in guide.plan_levels]
        assert sorted(plan) == chosen
        ranks = [order.index(views[i].recommendation.level) for i in plan]
        assert ranks == sorted(ranks)


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s["name"] for s in SITUATIONS])
def test_realistic_situations_get_the_recommendations_the_evidence_supports(situation):
    assert len(SITUATIONS) >= 6
    for guide in REAL.guides:
        table = REAL_TABLES[guide.id]
        answers = {q.id: situation["answers"][q.id] for q in guide.questions}
        got = {s: r.level for s, r in table.recommendations(answers).items()}
        assert got == situation["expected"][guide.id], guide.id
        plan = table.plan(table.combination_of(answers))
        first = [guide.subjects[i].subject for i in plan[:3]]
        assert first == situation["expected"][f"{guide.id}-plan"], guide.id


def test_situations_are_told_apart():
    for guide in REAL.guides:
        table = REAL_TABLES[guide.id]
        sets = {
            tuple(
                r.level
                for r in table.recommendations(
                    {q.id: s["answers"][q.id] for q in guide.questions}
                ).values()
            )
            for s in SITUATIONS
        }
        assert len(sets) >= 6, guide.id


# ---------------------------------------------------------------------------------------------
# What is shipped: the page's table and the audit table agree with the evaluator


def _page_lookup(data, combination):
    """The page script's arithmetic (docs/javascripts/guide.js, `lookup`), for the data test."""
    index = 0
    for question, option in zip(data["questions"], combination, strict=True):
        index = index * len(question["options"]) + option
    width = len(data["subjects"]) + 1
    return data["table"][index * width : (index + 1) * width]


def test_page_data_holds_every_outcome_by_position(real):
    graph = build_graph(REAL)
    data = guide_data(real, graph, REAL_EVIDENCE)
    levels = [level["id"] for level in data["levels"]]
    for combination in real.combinations():
        row = _page_lookup(data, combination)
        for s_index, (subject, view) in enumerate(
            zip(data["subjects"], real.views(combination), strict=True)
        ):
            shown = subject["views"][row[s_index]]
            rec = view.recommendation
            assert levels[shown["level"]] == rec.level
            assert shown["byEvidence"] == rec.by_evidence
            assert shown["for"] == [w.item for w in rec.side("for")]
        assert data["plans"][row[-1]] == list(real.plan(combination))


def test_audit_table_lists_every_combination_with_its_outcomes():
    for guide in REAL.guides:
        table = REAL_TABLES[guide.id]
        document = json.loads(export_guide_table(table))
        assert document["combinations"] == len(document["rows"]) == table.combination_count
        assert document["distinct_recommendation_sets"] == len(table.level_sets())
        for row, combination in zip(document["rows"], table.combinations(), strict=True):
            assert row["answers"] == list(table.answers_of(combination).values())
            for subject, index, view in zip(
                document["subjects"], row["outcomes"], table.views(combination), strict=True
            ):
                outcome = document["outcomes"][subject][index]
                assert outcome["level"] == view.recommendation.level
                assert outcome["for"] == [w.finding for w in view.recommendation.side("for")]


# ---------------------------------------------------------------------------------------------
# Problems in guide data, reported exactly

GOOD = (FIXTURE_KB / "guides" / "pick.yaml").read_text(encoding="utf-8")
G = "kb/guides/pick.yaml"

CASES = {
    "unknown option and level": (
        GOOD.replace(
            "options: [large]}]\n        decision: {level: now,",
            "options: [huge]}]\n        decision: {level: soon,",
        ),
        [
            f"{G}:46:43: expected an option of `size` (small, large), found `huge`",
            f"{G}:47:27: expected one of the guide's levels (now, later), found `soon`",
        ],
    ),
    "unknown question in an evidence item": (
        GOOD.replace(
            "when: [{question: speed, options: [slow]}]",
            "when: [{question: sped, options: [slow]}]",
        ),
        [f"{G}:38:27: expected the id of a question of this guide (size, speed), found `sped`"],
    ),
    "question that changes no level": (
        GOOD.replace(
            "  - id: speed\n",
            "  - id: colour\n    text: Colour?\n    short: Colour\n    options:\n"
            "      - {id: red, label: Red}\n      - {id: blue, label: Blue}\n"
            "  - id: speed\n",
        )
        .replace(
            "        decision: {level: now,",
            "        decision: {level: now,",
        )
        .replace(
            "      - when: [{question: size, options: [large]}]",
            "      - when: [{question: size, options: [large]}, "
            "{question: colour, options: [red, blue]}]",
        ),
        [
            f"{G}:26:9: expected question `colour` to change the level of some recommendation, "
            "found that no answer to it does, whatever the other answers\n"
            "    hint: use it in an evidence item's or a rule's `when` where it moves the balance "
            "or the decision, give its options a `context`, or remove it"
        ],
    ),
    "dangling finding": (
        GOOD.replace("      - finding: faster-things\n", "      - finding: fastr-things\n"),
        [
            f"{G}:36:18: expected the id of an existing benefit or limitation, found "
            "`fastr-things`\n    hint: did you mean `faster-things`?"
        ],
    ),
    "benefit counted against": (
        GOOD.replace(
            "      - finding: faster-things\n",
            "      - finding: faster-things\n        counts: against\n",
        ),
        [
            f"{G}:37:17: expected a benefit to count `for`, found `against`\n"
            "    hint: only limitations weigh against or as a cost; remove `counts`"
        ],
    ),
    "two levels for one balance": (
        GOOD.replace(
            "      - {balance: costly}\n",
            "      - {balance: costly}\n      - {balance: for, confidence: [low]}\n",
        ),
        [
            f"{G}:18:9: expected each balance and confidence to give one level, found `for` with "
            "`low` confidence in `now` and `later`\n"
            "    hint: narrow the `confidence` of one of the two cases"
        ],
    ),
    "rule the evidence always overrides": (
        GOOD.replace(
            "      - finding: more-effort\n        when: [{question: speed, options: [fast]}]\n",
            "      - finding: more-effort\n",
        ),
        [
            f"{G}:26:9: expected question `speed` to change the level of some recommendation, "
            "found that no answer to it does, whatever the other answers\n"
            "    hint: use it in an evidence item's or a rule's `when` where it moves the balance "
            "or the decision, give its options a `context`, or remove it",
            f"{G}:45:9: expected rule 1 of `beta` to decide some answers, found none: the "
            "evidence or an earlier rule decides every answer it holds for\n"
            "    hint: remove it, or move it before the rule that takes its answers",
        ],
    ),
    "evidence that never fits": (
        GOOD.replace(
            "      - finding: faster-things\n",
            "      - finding: faster-things\n        when: [{question: size, options: [small]}]\n",
        ),
        [
            f"{G}:36:9: expected evidence `faster-things` to fit some answers, found that its "
            "`when` and the finding's context never hold together\n"
            "    hint: loosen the `when`, or give an option the context the finding names"
        ],
    ),
    "judgement drawing on a finding that does not fit": (
        GOOD.replace(
            "default: {level: later, judgement: Nothing pushes for it.}\n",
            "default: {level: later, judgement: Nothing pushes for it., about: [faster-things]}\n",
        ).replace("  - subject: beta", "  - subject: beta"),
        [
            f"{G}:39:72: expected the findings a judgement draws on to fit every answer it is "
            "given for, found `faster-things`, whose context does not fit the answers `size: "
            "small, speed: fast`\n    hint: add a rule condition that matches the finding's "
            "context, or leave the finding out of `about`",
            f"{G}:48:72: expected the findings a judgement draws on to fit every answer it is "
            "given for, found `faster-things`, whose context does not fit the answers `size: "
            "small, speed: slow`\n    hint: add a rule condition that matches the finding's "
            "context, or leave the finding out of `about`",
        ],
    ),
    "plan level that is not a level": (
        GOOD.replace("plan_levels: [now]", "plan_levels: [nwo]"),
        [f"{G}:18:15: expected one of the guide's levels (now, later), found `nwo`"],
    ),
    "conditions that exclude each other": (
        GOOD.replace(
            "      - when: [{question: size, options: [large]}]",
            "      - when: [{question: size, options: [large]}, "
            "{question: size, options: [small]}]",
        ),
        [
            f"{G}:46:52: expected conditions some answers can meet, found two on `size` that "
            "exclude each other\n"
            "    hint: merge them into one condition listing the options that qualify"
        ],
    ),
    "the same finding twice": (
        GOOD.replace(
            "      - finding: more-effort\n        when: [{question: speed, options: [slow]}]\n",
            "      - finding: more-effort\n        when: [{question: speed, options: [slow]}]\n"
            "      - finding: more-effort\n",
        ),
        [
            f"{G}:39:18: expected each finding once in the evidence of `alpha`, found "
            "`more-effort` again\n    hint: keep one item; one finding weighs once"
        ],
    ),
    "short label too long": (
        GOOD.replace("short: Speed", "short: " + "Speed " * 11),
        [
            f"{G}:28:12: expected at most 60 characters, found 65\n"
            "    hint: shorten it to at most 60 characters"
        ],
    ),
}
CASES["decision without judgement"] = (
    GOOD.replace(
        "decision: {level: now, judgement: Large projects need it., about: [faster-things]}",
        "decision: {level: now, about: [faster-things]}",
    ),
    [
        f"{G}:47:19: expected field `judgement` in this decision, found none\n"
        "    hint: add `judgement:` to the decision"
    ],
)


@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_guide_problems_are_reported_exactly(kb_copy, tmp_path, text, expected):
    assert text != GOOD
    kb_dir = kb_copy({"guides/pick.yaml": text})
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert [str(issue) for issue in raised.value.issues] == sorted(expected)
