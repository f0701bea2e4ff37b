"""The confidence rules, on fixtures: each rule, each level boundary, the two hard rules,
overrides, the generated rules page and the changelog diff.

The real knowledge base's ratings are not pinned here; golden tests check them once the
rating is wired into the build.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from kbsite import confidence as c
from kbsite.confidence import (
    CAPS,
    RULES,
    Component,
    Concern,
    ContextFacts,
    EvidenceFacts,
    FindingFacts,
    Level,
    Override,
    OverrideError,
    RatingError,
    RuleSet,
    StudyFacts,
    TensionFacts,
)
from kbsite.markdown import md_inline
from kbsite.render import make_environment

ML = Component.METHODOLOGICAL_LIMITATIONS
CO = Component.COHERENCE
AD = Component.ADEQUACY
RE = Component.RELEVANCE
COMPONENT_KEYS = tuple(component.value.replace("-", "_") for component in c.COMPONENTS)


# ---------------------------------------------------------------------------------------------
# Fixture builders


def study(study_id: str, **changes: object) -> StudyFacts:
    """A peer-reviewed primary interview study of 20 people, unless changed."""
    base = StudyFacts(
        id=study_id,
        design="interviews",
        kind="primary",
        peer_reviewed=True,
        sample_size=20,
        sample_unit="practitioners",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def item(study_id: str, **changes: object) -> EvidenceFacts:
    """A full-text item that states the link and supports the finding, unless changed."""
    base = EvidenceFacts(
        study=study_id, citation=f"{study_id}-paper", link="stated", abstract_only=False
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def finding(*items: EvidenceFacts, **changes: object) -> FindingFacts:
    base = FindingFacts(id="f", evidence=items, principles=("Versioning",))
    return replace(base, **changes)  # type: ignore[arg-type]


Case = tuple[FindingFacts, dict[str, StudyFacts]]


def strong(
    count: int = 3,
    *,
    study_changes: dict[str, object] | None = None,
    item_changes: dict[str, object] | None = None,
    **finding_changes: object,
) -> Case:
    """`count` independent studies; by default every rule is satisfied (rated high)."""
    ids = [f"s{n}" for n in range(1, count + 1)]
    studies = {i: study(i, **(study_changes or {})) for i in ids}
    items = tuple(item(i, **(item_changes or {})) for i in ids)
    return finding(*items, **finding_changes), studies


def rate(case: Case, rules: RuleSet = c.DEFAULT_RULES) -> c.Rating:
    return c.rate(case[0], case[1], rules)


def with_override(case: Case, **concerns: Concern) -> Case:
    overrides = tuple(
        Override(Component(name.replace("_", "-")), concern, "Checked by hand.")
        for name, concern in concerns.items()
    )
    return replace(case[0], overrides=overrides), case[1]


def one_study_one_contradiction() -> Case:
    base, studies = strong(1)
    studies["s9"] = study("s9")
    return replace(base, evidence=(*base.evidence, item("s9", supports=False))), studies


def three_studies_one_contradiction() -> Case:
    base, studies = strong(3)
    studies["s9"] = study("s9")
    return replace(base, evidence=(*base.evidence, item("s9", supports=False))), studies


def only_one_inferred() -> Case:
    base, studies = strong(2)
    return replace(
        base, evidence=(base.evidence[0], replace(base.evidence[1], link="inferred"))
    ), studies


# One fixture per rule, in which that rule's condition holds.
RULE_CASES: dict[str, Case] = {
    "no-peer-review": strong(study_changes={"peer_reviewed": False}),
    "some-not-peer-reviewed": (
        strong()[0],
        {**strong()[1], "s1": study("s1", peer_reviewed=False)},
    ),
    "weak-design": strong(study_changes={"design": "literature-review"}),
    "limited-design": strong(study_changes={"design": "case-study"}),
    "methods-not-appraised": strong(item_changes={"abstract_only": True}),
    "mostly-background": strong(item_changes={"background": True}),
    "partly-background": (
        replace(
            strong()[0],
            evidence=(replace(strong()[0].evidence[0], background=True), *strong()[0].evidence[1:]),
        ),
        strong()[1],
    ),
    "contradicted-as-often": one_study_one_contradiction(),
    "contradicted": three_studies_one_contradiction(),
    "in-tension": strong(tensions=(TensionFacts("other-finding", "Different settings."),)),
    "single-study-coherence": strong(1),
    "no-primary-study": strong(study_changes={"design": "systematic-review", "kind": "secondary"}),
    "single-small-study": strong(1, study_changes={"sample_size": 6}),
    "single-study": strong(1),
    "two-studies": strong(2),
    "small-total-sample": strong(study_changes={"sample_size": 2}),
    "modest-total-sample": strong(study_changes={"sample_size": 5}),
    "abstract-only": strong(item_changes={"abstract_only": True}),
    "link-inferred": strong(item_changes={"link": "inferred"}),
    "link-partly-inferred": only_one_inferred(),
    "setting-not-studied": strong(
        context=ContextFacts(deployment=("continuous",)),
        study_changes={"setting": ContextFacts(deployment=("not-deployed",))},
    ),
    "setting-narrower": strong(
        study_changes={"setting": ContextFacts(learning=("online-supervised",))}
    ),
}


# ---------------------------------------------------------------------------------------------
# Each rule


def test_every_rule_has_a_fixture() -> None:
    assert set(RULE_CASES) == {rule.id for rule in RULES}


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in RULES] + [cap.id for cap in CAPS]
    assert len(ids) == len(set(ids))


def test_the_strong_fixture_is_high_with_no_concern() -> None:
    rating = rate(strong())
    assert rating.level is Level.HIGH
    assert rating.points == 0
    assert all(comp.concern is Concern.NONE and not comp.rules for comp in rating.components)
    assert rating.raise_by == ()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_fires_on_its_fixture_and_sets_its_concern(rule: c.Rule) -> None:
    rating = rate(RULE_CASES[rule.id])
    component = rating.component(rule.component)
    assert rule.id in component.rules
    assert component.concern.rank >= rule.concern.rank
    if component.concern is rule.concern:
        for words in _literal_parts(rule.reason):
            assert words in component.reason.lower()
    others = [comp for comp in rating.components if comp.component is not rule.component]
    assert all(rule.id not in comp.rules for comp in others)


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.concern is not Concern.NONE], ids=lambda rule: rule.id
)
def test_rule_that_lowers_a_finding_says_what_would_raise_it(rule: c.Rule) -> None:
    rating = rate(RULE_CASES[rule.id])
    name = c.COMPONENT_NAMES[rule.component].split()[0]
    assert any(name in sentence or "full text" in sentence for sentence in rating.raise_by)
    assert all(sentence[0].isupper() and sentence.endswith(".") for sentence in rating.raise_by)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_does_not_fire_on_the_strong_fixture(rule: c.Rule) -> None:
    assert rule.id not in rate(strong()).component(rule.component).rules


def _literal_parts(template: str) -> list[str]:
    """The fixed words of a reason template, between its placeholders."""
    return [part.strip().lower() for part in re.split(r"\{[a-z_]+\}", template) if part.strip()]


def test_component_takes_the_worst_rule_and_lists_every_rule_that_fired() -> None:
    case = strong(1, study_changes={"sample_size": 6}, item_changes={"abstract_only": True})
    adequacy = rate(case).component(AD)
    assert adequacy.rules == ("single-small-study", "abstract-only")
    assert adequacy.concern is Concern.SERIOUS
    assert adequacy.reason.startswith("One study, 6 practitioners in all")


def _read_beyond_the_abstract(case: Case, *study_ids: str) -> Case:
    base, studies = case
    items = tuple(replace(e, abstract_only=e.study not in study_ids) for e in base.evidence)
    return replace(base, evidence=items), studies


@pytest.mark.parametrize("rule_id", ["methods-not-appraised", "abstract-only"])
def test_abstract_rules_count_studies_not_items(rule_id: str) -> None:
    """One study of three read in full leaves two unappraised: the concern stays, and says so.

    With two of three read in full, or one of two, most of the evidence is no longer
    unappraised and it goes.
    """
    rule = next(r for r in RULES if r.id == rule_id)
    one = rate(_read_beyond_the_abstract(strong(3), "s1")).component(rule.component)
    assert rule_id in one.rules
    assert "2 of the 3 contributing studies" in one.reason
    two = rate(_read_beyond_the_abstract(strong(3), "s1", "s2")).component(rule.component)
    assert rule_id not in two.rules
    half = rate(_read_beyond_the_abstract(strong(2), "s1")).component(rule.component)
    assert rule_id not in half.rules
    every = rate(_read_beyond_the_abstract(strong(3))).component(rule.component)
    assert "all 3 contributing studies" in every.reason


def test_a_study_read_beyond_its_abstract_once_counts_as_read() -> None:
    """Two items of one study, one of them from a section: that study was read further."""
    base, studies = strong(1, item_changes={"abstract_only": True})
    second = replace(base.evidence[0], citation="s1-other-paper", abstract_only=False)
    rating = rate((replace(base, evidence=(*base.evidence, second)), studies))
    assert "abstract-only" not in rating.component(AD).rules
    assert "methods-not-appraised" not in rating.component(ML).rules


def _as_background(case: Case, *study_ids: str) -> Case:
    base, studies = case
    items = tuple(replace(e, background=e.study in study_ids) for e in base.evidence)
    return replace(base, evidence=items), studies


def test_background_statements_count_by_study_and_weigh_by_share() -> None:
    """Most studies giving it only as background is a moderate concern, some a minor one."""
    two_of_three = rate(_as_background(strong(3), "s1", "s2")).component(ML)
    assert "mostly-background" in two_of_three.rules
    assert two_of_three.concern is Concern.MODERATE
    one_of_two = rate(_as_background(strong(2), "s1")).component(ML)
    assert one_of_two.rules == ("partly-background",)
    assert one_of_two.concern is Concern.MINOR
    assert one_of_two.reason.startswith("S1 states it only as background, not as a result")
    base, studies = _as_background(strong(1), "s1")
    result = replace(base.evidence[0], citation="s1-other-paper", background=False)
    both = rate((replace(base, evidence=(*base.evidence, result)), studies)).component(ML)
    assert not {"mostly-background", "partly-background"} & set(both.rules)


def test_single_study_coherence_is_noted_without_lowering() -> None:
    coherence = rate(strong(1)).component(CO)
    assert coherence.concern is Concern.NONE
    assert "agreement across studies could not be tested" in coherence.reason


def test_cross_cutting_evidence_is_not_an_inferred_link() -> None:
    case = strong(1, item_changes={"link": "cross-cutting"}, principles=())
    assert rate(case).component(RE).concern is Concern.NONE


def test_best_design_sets_the_design_concern() -> None:
    base, studies = strong(2)
    studies["s1"] = study("s1", design="literature-review")
    assert rate((base, studies)).component(ML).concern is Concern.NONE
    studies["s2"] = study("s2", design="case-study")
    assert rate((base, studies)).component(ML).rules == ("limited-design",)


def test_mixed_studies_count_as_primary_and_secondary_do_not() -> None:
    base, studies = strong(3)
    studies["s3"] = study("s3", design="systematic-review", kind="secondary")
    rating = rate((base, studies))
    assert rating.primary_studies == ("s1", "s2")
    assert rating.studies == ("s1", "s2", "s3")
    assert rating.component(AD).rules == ("two-studies",)
    studies["s3"] = study("s3", design="mixed-methods", kind="mixed")
    assert rate((base, studies)).component(AD).rules == ()


def test_unrecorded_sample_is_named_in_the_reason() -> None:
    base, studies = strong(2, study_changes={"sample_size": 4})
    studies["s2"] = study("s2", sample_size=None, label="The second study")
    adequacy = rate((base, studies)).component(AD)
    assert "no sample recorded for The second study" in adequacy.reason
    assert "small-total-sample" in adequacy.rules


def test_unrecorded_study_setting_is_not_a_mismatch() -> None:
    case = strong(context=ContextFacts(deployment=("continuous",), sectors=("finance",)))
    assert rate(case).component(RE).concern is Concern.NONE


def test_any_kind_of_ml_is_no_restriction() -> None:
    case = strong(
        context=ContextFacts(learning=("any",)),
        study_changes={"setting": ContextFacts(learning=("online-supervised",))},
    )
    assert rate(case).component(RE).rules == ("setting-narrower",)


def test_raise_sentence_names_a_missing_design_in_the_claimed_setting() -> None:
    case = strong(
        1,
        context=ContextFacts(deployment=("continuous",)),
        study_changes={"design": "focus-groups", "sample_size": 6},
    )
    assert (
        "An independent interview study of teams deploying models continuously would "
        "raise adequacy."
    ) in rate(case).raise_by


def test_raise_sentences_are_not_repeated() -> None:
    rating = rate(strong(1, item_changes={"abstract_only": True}))
    assert len(rating.raise_by) == len(set(rating.raise_by))
    assert sum("full text" in sentence for sentence in rating.raise_by) == 1


# ---------------------------------------------------------------------------------------------
# Level boundaries


@pytest.mark.parametrize(
    ("concerns", "level"),
    [
        ({}, Level.HIGH),
        ({"coherence": Concern.MINOR}, Level.HIGH),
        ({"coherence": Concern.MINOR, "relevance": Concern.MINOR}, Level.MODERATE),
        ({"adequacy": Concern.MODERATE, "relevance": Concern.MINOR}, Level.MODERATE),
        ({"adequacy": Concern.SERIOUS}, Level.MODERATE),
        ({"adequacy": Concern.MODERATE, "relevance": Concern.MODERATE}, Level.LOW),
        ({"adequacy": Concern.SERIOUS, "relevance": Concern.SERIOUS}, Level.LOW),
        (
            {"adequacy": Concern.SERIOUS, "relevance": Concern.SERIOUS, "coherence": Concern.MINOR},
            Level.VERY_LOW,
        ),
        (dict.fromkeys(COMPONENT_KEYS, Concern.SERIOUS), Level.VERY_LOW),
    ],
)
def test_level_boundaries(concerns: dict[str, Concern], level: Level) -> None:
    rating = rate(with_override(strong(), **concerns))
    assert rating.level is level
    assert rating.points == sum(c.DEFAULT_RULES.points_for(x) for x in concerns.values())


def test_each_level_is_reached_by_computed_concerns_alone() -> None:
    assert rate(strong()).level is Level.HIGH
    assert rate(strong(2)).level is Level.HIGH  # one minor concern
    assert rate(strong(1)).level is Level.MODERATE  # one moderate concern
    assert rate(strong(item_changes={"abstract_only": True})).level is Level.MODERATE
    assert rate(RULE_CASES["no-peer-review"]).level is Level.MODERATE
    weak = strong(
        1,
        study_changes={"sample_size": 6, "peer_reviewed": False},
        item_changes={"abstract_only": True},
    )
    assert rate(weak).level is Level.LOW
    weakest = strong(
        1,
        study_changes={"sample_size": 6, "peer_reviewed": False},
        item_changes={"abstract_only": True, "link": "inferred"},
    )
    rating = rate(weakest)
    assert rating.level is Level.VERY_LOW
    assert rating.points == 7
    assert rating.cap is None  # a ceiling never raises a level
    assert rating.ceilings == ("inferred-from-one-abstract",)
    assert any("ceiling of low" in sentence for sentence in rating.raise_by)


def test_level_for_points_follows_the_published_ceilings() -> None:
    rules = c.DEFAULT_RULES
    for level, ceiling in rules.level_ceilings:
        assert rules.level_for(ceiling) is level
        assert rules.level_for(ceiling + 1) is not level
    assert rules.level_for(rules.level_ceilings[-1][1] + 1) is Level.VERY_LOW


# ---------------------------------------------------------------------------------------------
# The two hard rules


def inferred_from_one_abstract(reports: int = 1) -> Case:
    studies = {"s1": study("s1", sample_size=500)}
    items = tuple(
        item("s1", citation=f"report-{n}", link="inferred", abstract_only=True)
        for n in range(reports)
    )
    return finding(*items), studies


def test_inference_from_one_abstract_is_never_above_low() -> None:
    everything_fine = dict.fromkeys(COMPONENT_KEYS, Concern.NONE)
    rating = rate(with_override(inferred_from_one_abstract(), **everything_fine))
    assert rating.uncapped_level is Level.HIGH
    assert rating.level is Level.LOW
    assert rating.cap == "inferred-from-one-abstract"
    assert rating.ceilings == ("inferred-from-one-abstract",)
    assert any("ceiling of low" in sentence for sentence in rating.raise_by)


def test_inference_from_one_study_published_twice_is_still_capped() -> None:
    rating = rate(
        with_override(
            inferred_from_one_abstract(reports=2),
            adequacy=Concern.NONE,
            relevance=Concern.NONE,
            methodological_limitations=Concern.NONE,
        )
    )
    assert rating.studies == ("s1",)
    assert rating.level is Level.LOW
    assert rating.cap == "inferred-from-one-abstract"


@pytest.mark.parametrize(
    "change",
    [
        {"link": "stated"},
        {"abstract_only": False},
    ],
)
def test_the_ceiling_needs_both_inference_and_abstract(change: dict[str, object]) -> None:
    base, studies = inferred_from_one_abstract()
    case = replace(base, evidence=(replace(base.evidence[0], **change),)), studies  # type: ignore[arg-type]
    assert rate(case).cap is None


def test_the_ceiling_does_not_apply_to_two_independent_studies() -> None:
    base, studies = inferred_from_one_abstract()
    studies["s2"] = study("s2")
    case = (
        replace(base, evidence=(*base.evidence, item("s2", link="inferred", abstract_only=True))),
        studies,
    )
    assert rate(case).cap is None


def published_twice(case: Case) -> Case:
    """Every evidence item cited a second time, from another report of the same study."""
    base, studies = case
    copies = tuple(replace(e, citation=e.citation + "-journal-version") for e in base.evidence)
    return replace(base, evidence=base.evidence + copies), studies


@pytest.mark.parametrize("name", [*RULE_CASES, "strong", "capped"])
def test_publishing_a_study_twice_never_changes_the_rating(name: str) -> None:
    extra = {"strong": strong(), "capped": inferred_from_one_abstract()}
    case = extra[name] if name in extra else RULE_CASES[name]
    once, twice = rate(case), rate(published_twice(case))
    assert twice.level is once.level
    assert twice.points == once.points
    assert twice.studies == once.studies
    assert twice.participants == once.participants
    assert [comp.concern for comp in twice.components] == [comp.concern for comp in once.components]
    assert [comp.rules for comp in twice.components] == [comp.rules for comp in once.components]


# ---------------------------------------------------------------------------------------------
# Overrides


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_override_without_a_reason_is_refused(reason: str) -> None:
    with pytest.raises(OverrideError, match="adequacy of data: a written reason is required"):
        Override(AD, Concern.NONE, reason)


def test_two_overrides_of_one_component_are_refused() -> None:
    overrides = (Override(AD, Concern.NONE, "One."), Override(AD, Concern.MINOR, "Two."))
    with pytest.raises(OverrideError, match="adequacy of data is overridden twice"):
        finding(item("s1"), overrides=overrides)


def test_override_is_shown_as_such_and_keeps_the_computed_judgement() -> None:
    base, studies = strong(1)
    case = (
        replace(
            base,
            overrides=(
                Override(AD, Concern.MINOR, "  The full text reports 40 interviews in depth.  "),
            ),
        ),
        studies,
    )
    adequacy = rate(case).component(AD)
    assert adequacy.overridden
    assert adequacy.concern is Concern.MINOR
    assert adequacy.reason == "The full text reports 40 interviews in depth."
    assert adequacy.computed_concern is Concern.MODERATE
    assert adequacy.computed_reason.startswith("One study")
    assert adequacy.rules == ("single-study",)
    assert rate(case).level is Level.HIGH
    assert adequacy.to_dict()["overridden"] is True


def test_override_to_no_concern_drops_that_components_raise_sentences() -> None:
    base, studies = strong(1)
    computed = rate((base, studies))
    overridden = rate(with_override((base, studies), adequacy=Concern.NONE))
    assert any("adequacy" in s for s in computed.raise_by)
    assert not any("adequacy" in s for s in overridden.raise_by)


# ---------------------------------------------------------------------------------------------
# Bad input


def test_unknown_vocabulary_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="design 'poll' has no confidence rule; expected one of"):
        study("s1", design="poll")
    with pytest.raises(ValueError, match="kind 'tertiary' is unknown"):
        study("s1", kind="tertiary")
    with pytest.raises(ValueError, match="sample size -1 is negative"):
        study("s1", sample_size=-1)
    with pytest.raises(ValueError, match="link 'guessed' is unknown; expected one of stated"):
        item("s1", link="guessed")


def test_unknown_study_and_missing_support_are_rating_errors() -> None:
    with pytest.raises(RatingError, match="finding f: unknown study s2"):
        c.rate(finding(item("s2")), {"s1": study("s1")})
    with pytest.raises(RatingError, match="finding f: no evidence item supports the finding"):
        c.rate(finding(item("s1", supports=False)), {"s1": study("s1")})


@pytest.mark.parametrize(
    ("locator", "expected"),
    [
        ("abstract", True),
        ("Abstract", True),
        ("abstract (PUC-Rio defence notice)", True),
        ("  abstract  ", True),
        ("abstract and section 4", False),
        ("section 4.2", False),
        ("abstracts of talks, p. 3", False),
        ("", False),
    ],
)
def test_abstract_locators(locator: str, expected: bool) -> None:
    assert c.is_abstract_locator(locator) is expected


# ---------------------------------------------------------------------------------------------
# The rules page: generated from the same objects


def render_page(rules: RuleSet = c.DEFAULT_RULES) -> str:
    return make_environment().get_template("confidence.md.j2").render(**c.rules_page_context(rules))


def test_page_states_every_rule_cap_level_design_and_source() -> None:
    page = render_page()
    thresholds = c.rules_page_context()["thresholds"]
    for rule in RULES:
        condition = md_inline(rule.condition.format(**thresholds))
        assert f"| `{rule.id}` | {condition} | {rule.concern.value} |" in page
        if rule.raise_hint:
            hint = rule.raise_hint.format(**c.GENERIC_WORDS)
            assert md_inline(hint[0].upper() + hint[1:]) in page
    for cap in CAPS:
        assert cap.id in page
        assert md_inline(cap.condition) in page
    for level in c.LEVELS:
        assert md_inline(c.LEVEL_MEANINGS[level]) in page
        assert c.LEVEL_SYMBOLS[level] in page
    for note in c.DESIGNS.values():
        assert f"| {md_inline(note.label)} | {note.concern.value} |" in page
    for _, url in c.CITATIONS:
        assert url in page
    for component in c.COMPONENTS:
        assert f"{{ #{component.value} }}" in page


def test_page_and_rating_move_together_when_a_threshold_changes() -> None:
    case = strong(1, study_changes={"sample_size": 6})
    default, lowered = c.DEFAULT_RULES, RuleSet(small_sample=5)
    assert rate(case, default).component(AD).rules == ("single-small-study",)
    assert rate(case, default).level is Level.MODERATE
    assert rate(case, lowered).component(AD).rules == ("single-study",)
    assert rate(case, lowered).level is Level.MODERATE
    assert rate(case, default).points - rate(case, lowered).points == 1
    before, after = render_page(default), render_page(lowered)
    assert "sample is smaller than 10 or not recorded" in before
    assert "sample is smaller than 5 or not recorded" in after
    assert "smaller than 10" not in after


def test_page_and_rating_move_together_when_the_points_change() -> None:
    case = strong(1, study_changes={"sample_size": 6})  # adequacy: serious
    harsher = RuleSet(
        points=((Concern.NONE, 0), (Concern.MINOR, 1), (Concern.MODERATE, 2), (Concern.SERIOUS, 4))
    )
    assert rate(case).level is Level.MODERATE
    assert rate(case, harsher).level is Level.LOW
    assert "| serious | 3 |" in render_page()
    assert "| serious | 4 |" in render_page(harsher)
    assert "| serious | moderate |" in render_page()
    assert "| serious | low |" in render_page(harsher)


def test_page_bands_cover_every_total() -> None:
    bands = c.rules_page_context()["bands"]
    assert [band["level"] for band in bands] == [level.value for level in c.LEVELS]
    assert bands[0]["points"].startswith("0")
    assert bands[-1]["points"].endswith("or more")


# ---------------------------------------------------------------------------------------------
# Exports and changes over time


def test_rating_exports_as_json_in_component_order() -> None:
    data = rate(RULE_CASES["in-tension"]).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert [comp["component"] for comp in data["components"]] == [x.value for x in c.COMPONENTS]
    assert data["level"] in {level.value for level in c.LEVELS}


def test_rate_all_is_keyed_and_ordered_by_finding_id() -> None:
    (one, studies), (two, _) = strong(), strong()
    ratings = c.rate_all([replace(one, id="zeta"), replace(two, id="alpha")], studies)
    assert list(ratings) == ["alpha", "zeta"]


def test_diff_reports_level_changes_with_reasons() -> None:
    single, studies = strong(1)
    double, more_studies = strong(2)
    old = {
        "f": c.rate(single, studies),
        "same": c.rate(replace(single, id="same"), studies),
        "gone": c.rate(replace(single, id="gone"), studies),
    }
    new = {
        "f": c.rate(double, more_studies),
        "same": c.rate(replace(single, id="same"), studies),
        "added": c.rate(replace(single, id="added"), studies),
    }
    changes = {change.finding: change for change in c.diff_ratings(old, new)}
    assert list(changes) == ["added", "f", "gone"]
    assert (changes["f"].old, changes["f"].new) == (Level.MODERATE, Level.HIGH)
    assert (changes["f"].studies_added, changes["f"].studies_removed) == (("s2",), ())
    assert "adequacy of data: moderate → minor concerns (Two independent studies)" in (
        changes["f"].reasons
    )
    assert (changes["added"].old, changes["added"].new) == (None, Level.MODERATE)
    assert (changes["gone"].old, changes["gone"].new) == (Level.MODERATE, None)


def test_diff_names_an_override_and_a_ceiling() -> None:
    case = inferred_from_one_abstract()
    fine = with_override(
        case, adequacy=Concern.NONE, relevance=Concern.NONE, methodological_limitations=Concern.NONE
    )
    stated = replace(fine[0], evidence=(replace(fine[0].evidence[0], link="stated"),)), fine[1]
    (change,) = c.diff_ratings({"f": rate(fine)}, {"f": rate(stated)})
    assert (change.old, change.new) == (Level.LOW, Level.HIGH)
    assert "ceiling inferred-from-one-abstract no longer applies" in change.reasons
    harsher = with_override(case, adequacy=Concern.SERIOUS)
    (change,) = c.diff_ratings({"f": rate(strong(1))}, {"f": rate(harsher)})
    assert any(
        reason.startswith(
            "adequacy of data: moderate → serious concerns (editors' override: Checked by hand.)"
        )
        for reason in change.reasons
    )


def test_diff_is_empty_when_nothing_changed() -> None:
    ratings = {name: rate(case) for name, case in RULE_CASES.items()}
    assert c.diff_ratings(ratings, dict(ratings)) == ()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"small_sample": 0}, "small_sample"),
        ({"small_sample": 40}, "small_sample"),
        (
            {
                "points": (
                    (Concern.MINOR, 1),
                    (Concern.NONE, 0),
                    (Concern.MODERATE, 2),
                    (Concern.SERIOUS, 3),
                )
            },
            "in order",
        ),
        (
            {
                "points": (
                    (Concern.NONE, 0),
                    (Concern.MINOR, 2),
                    (Concern.MODERATE, 1),
                    (Concern.SERIOUS, 3),
                )
            },
            "never decrease",
        ),
        ({"level_ceilings": ((Level.HIGH, 1), (Level.LOW, 6))}, "high, moderate, low"),
        (
            {"level_ceilings": ((Level.HIGH, 3), (Level.MODERATE, 3), (Level.LOW, 6))},
            "rise strictly",
        ),
    ],
)
def test_inconsistent_rule_sets_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RuleSet(**changes)  # type: ignore[arg-type]


def test_entry_text_in_labels_is_taken_literally() -> None:
    base, studies = strong(1, study_changes={"peer_reviewed": False})
    studies["s1"] = replace(studies["s1"], label="A {principles} study}")
    rating = rate((base, studies))
    assert "A Versioning study" not in " ".join(rating.raise_by)
    assert any(
        "A peer-reviewed report of A {principles} study} would" in sentence
        for sentence in rating.raise_by
    )


def test_diff_explains_a_change_of_scoring_alone() -> None:
    case = strong(1, study_changes={"sample_size": 6})
    harsher = RuleSet(
        points=((Concern.NONE, 0), (Concern.MINOR, 1), (Concern.MODERATE, 2), (Concern.SERIOUS, 4))
    )
    (change,) = c.diff_ratings({"f": rate(case)}, {"f": rate(case, harsher)})
    assert change.reasons == ("the scoring rules changed",)


def test_rules_page_context_is_plain_data_for_the_json_export() -> None:
    context = c.rules_page_context()
    assert json.loads(json.dumps(context)) == context
    assert [rule["id"] for component in context["components"] for rule in component["rules"]] == [
        rule.id for rule in RULES
    ]
