"""Guide evaluation and the checks on guide data."""

from __future__ import annotations

import pytest

from kbsite import KBError, check_kb
from kbsite.guides import combination_count, combinations, evaluate

from conftest import FIXTURE_KB, REPO, real_kb

KB = check_kb(FIXTURE_KB, REPO)
GUIDE = KB.guides[0]
REAL = real_kb()


def test_rules_combine_and_defaults_fill_in():
    result = evaluate(GUIDE, {"size": "large", "speed": "fast"})
    assert result["alpha"].level == "now"
    assert result["alpha"].because == ("faster-things", "more-effort")
    assert evaluate(GUIDE, {"size": "small", "speed": "fast"})["alpha"].level == "later"
    assert evaluate(GUIDE, {"size": "small", "speed": "slow"})["more-effort"].judgement == (
        "Slow projects can wait."
    )


def test_combinations_cover_every_answer():
    assert combination_count(GUIDE) == 4
    assert list(combinations(GUIDE)) == [
        {"size": "small", "speed": "slow"},
        {"size": "small", "speed": "fast"},
        {"size": "large", "speed": "slow"},
        {"size": "large", "speed": "fast"},
    ]


@pytest.mark.parametrize("guide", REAL.guides, ids=[g.id for g in REAL.guides])
def test_every_combination_gives_every_subject_a_known_level(guide):
    levels = {level.id for level in guide.levels}
    subjects = [s.subject for s in guide.subjects]
    for answers in combinations(guide):
        result = evaluate(guide, answers)
        assert list(result) == subjects
        assert {outcome.level for outcome in result.values()} <= levels
        for outcome in result.values():
            assert outcome.because or outcome.judgement


def test_the_two_required_guides_exist():
    assert {g.id for g in REAL.guides} == {"invest-now", "ready-to-adopt"}
    invest = next(g for g in REAL.guides if g.id == "invest-now")
    assert sorted(s.subject for s in invest.subjects) == sorted(p.id for p in REAL.principles)


GOOD = (FIXTURE_KB / "guides" / "pick.yaml").read_text(encoding="utf-8")
G = "kb/guides/pick.yaml"

CASES = {
    "contradicting rules": (
        GOOD.replace(
            "        level: now\n        because: [more-effort]",
            "        level: later\n        because: [more-effort]",
        ),
        [
            f"{G}:26:9: expected rules for `alpha` to agree, found rule 1 (`now`) and rule 2 "
            "(`later`) applying to the same answers\n    hint: add a condition that separates "
            "them"
        ],
    ),
    "unknown option and level": (
        GOOD.replace(
            "options: [large]}]\n        level: now\n        because: [faster-things]",
            "options: [huge]}]\n        level: soon\n        because: [faster-things]",
        ),
        [
            f"{G}:23:43: expected an option of `size` (small, large), found `huge`",
            f"{G}:24:16: expected one of the guide's levels (now, later), found `soon`",
        ],
    ),
    "outcome without basis": (
        GOOD.replace(
            "default: {level: later, judgement: Nothing pushes for it.}", "default: {level: later}"
        ),
        [
            f"{G}:21:14: expected `because` findings or the editors' `judgement`, found neither\n"
            "    hint: name the findings the outcome rests on, or explain the editors' reasoning "
            "in `judgement`"
        ],
    ),
    "question no rule uses": (
        GOOD.replace(
            "  - id: speed\n",
            "  - id: colour\n    text: Colour?\n    options:\n"
            "      - {id: red, label: Red}\n      - {id: blue, label: Blue}\n"
            "  - id: speed\n",
        ),
        [
            f"{G}:14:9: expected question `colour` to change some recommendation, found no rule "
            "that uses it\n    hint: use it in a rule's `when`, or remove it"
        ],
    ),
    "dangling finding": (
        GOOD.replace("because: [faster-things]", "because: [fastr-things]"),
        [
            f"{G}:25:19: expected the id of an existing benefit or limitation, found "
            "`fastr-things`\n    hint: did you mean `faster-things`?"
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_guide_problems_are_reported_exactly(kb_copy, tmp_path, text, expected):
    kb_dir = kb_copy({"guides/pick.yaml": text})
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert [str(issue) for issue in raised.value.issues] == sorted(expected)
