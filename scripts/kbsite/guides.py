"""Decision guides: the one evaluator. Every combination of answers is decided here, at build time.

The pages ship the resulting table and only look answers up in it (docs/javascripts/guide.js);
api/guides/<id>.json publishes the same table for audit. Nothing else decides a guide's outcome.

How a subject (a principle, or a challenge) is decided, for one set of answers:

1. **Fitting evidence.** Each evidence item of the subject fits when its `when` conditions hold
   and its finding's context fits the answers: for every facet (project stage, deployment, kind
   of ML, sector) that the finding restricts and that some option of the guide speaks of, the
   chosen options must name one of the finding's values. A facet no question asks about does not
   count against a finding.
2. **Weighing.** Each fitting finding weighs by its confidence rating (high 4, moderate 3,
   low 2, very low 1 points), `for` the subject, or on the other side as a drawback of doing it
   now (`against`) or as a `cost` (an effort or a challenge it brings). The balance is `for`
   when the benefits outweigh the drawbacks and the costs together, `costly` when they outweigh
   the drawbacks only, `even` when benefits and drawbacks weigh the same, `against` when the
   drawbacks weigh more.
3. **The evidence decides** when some benefit or drawback fits (costs alone say what a thing
   takes, not whether it pays off): the level whose `from_evidence` case matches the balance
   and the confidence of the strongest finding that sets it (the benefits when the balance is
   `for` or `costly`, the drawbacks when `against`, both when `even`) is the recommendation,
   and that confidence is the recommendation's.
4. **Otherwise the editors decide**: the first rule whose conditions all hold, else the
   subject's default. The page labels the level as the editors' judgement and shows their
   reasoning next to whatever evidence fits.

A subject's outcome depends only on the questions its evidence and rules speak of, so each
subject is evaluated once per combination of those answers; the table of a guide is the
product of these small tables.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from kbsite import confidence
from kbsite.confidence import Level
from kbsite.model import Condition, Finding, Guide, GuideSubject, KnowledgeBase

POINTS: dict[Level, int] = {
    Level.HIGH: 4,
    Level.MODERATE: 3,
    Level.LOW: 2,
    Level.VERY_LOW: 1,
}
"""How much a fitting finding weighs, by its confidence."""

SIDE_OF_KIND = {"drawback": "against", "adoption-challenge": "cost", "required-effort": "cost"}
"""The side a limitation weighs on when its evidence item does not say (benefits count for)."""

FACETS = confidence.CONTEXT_FACETS
"""The context facets answers and findings share."""

Projection = tuple[int, ...]
"""Option indices of a subject's relevant questions, in question order."""


def level_id(level: Level) -> str:
    """The vocabulary id of a confidence level (`very-low`)."""
    return level.value.replace(" ", "-")


def side_of(counts: str | None, finding: Finding) -> str:
    """`for`, `against` or `cost`: as the evidence item says, else from the finding's kind."""
    if counts:
        return counts
    return SIDE_OF_KIND.get(finding.limitation_kind, "for")


@dataclass(frozen=True)
class Weighed:
    """One fitting finding and what it weighs."""

    item: int
    """Index of the evidence item in the subject's `evidence`."""
    finding: str
    side: str
    level: Level
    points: int


@dataclass(frozen=True)
class Recommendation:
    """The outcome for one subject and one set of answers."""

    level: str
    by_evidence: bool
    """True when the evidence gave the level; False when an editors' rule or default did."""
    balance: str
    """`for`, `even`, `against`; `costs` when only costs fit; `silent` when nothing fits."""
    confidence: Level | None
    """The recommendation's confidence (only when the evidence gave the level)."""
    weighed: tuple[Weighed, ...]
    """Every fitting finding: for, then against, then costs; heaviest first within each."""
    points_for: int
    points_against: int
    """What the fitting drawbacks weigh."""
    points_cost: int
    """What the fitting costs weigh."""
    rule: int | None = None
    """Index of the rule that decided; None for the default or when the evidence decided."""
    judgement: str = ""
    about: tuple[str, ...] = ()

    def side(self, name: str) -> tuple[Weighed, ...]:
        """The fitting findings of one side (`for`, `against`, `cost`)."""
        return tuple(w for w in self.weighed if w.side == name)

    @property
    def margin(self) -> int:
        """How far the benefits outweigh the drawbacks and costs (negative: they do not)."""
        return self.points_for - self.points_against - self.points_cost


@dataclass(frozen=True)
class Change:
    """One other answer that would move a recommendation to another level."""

    question: int
    option: int
    level: str


@dataclass(frozen=True)
class View:
    """A recommendation with what would change it: everything a page shows for a subject."""

    recommendation: Recommendation
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class SubjectTable:
    """Every outcome of one subject, over the answers it depends on."""

    subject: GuideSubject
    questions: tuple[int, ...]
    """The questions the subject depends on (indices, in question order)."""
    views: tuple[View, ...]
    """Distinct outcomes, in order of first appearance."""
    view_of: Mapping[Projection, int]

    def view_index(self, combination: Projection) -> int:
        """The outcome for a whole combination of answers (option index per question)."""
        return self.view_of[tuple(combination[q] for q in self.questions)]


@dataclass(frozen=True)
class GuideTable:
    """A guide's outcome for every combination of answers."""

    guide: Guide
    subjects: tuple[SubjectTable, ...]
    level_order: Mapping[str, int] = field(repr=False)

    @property
    def sizes(self) -> tuple[int, ...]:
        """How many options each question has."""
        return tuple(len(q.options) for q in self.guide.questions)

    def combinations(self) -> Iterator[Projection]:
        """Every combination of answers as option indices, first question slowest."""
        return itertools.product(*(range(size) for size in self.sizes))

    @property
    def combination_count(self) -> int:
        """How many combinations of answers there are."""
        count = 1
        for size in self.sizes:
            count *= size
        return count

    def views(self, combination: Projection) -> tuple[View, ...]:
        """The outcome of every subject, in the guide's subject order."""
        return tuple(s.views[s.view_index(combination)] for s in self.subjects)

    def plan(self, combination: Projection) -> tuple[int, ...]:
        """Subjects to act on, in order: what to do first, second, third, and so on.

        Subjects at a plan level, strongest level first; within a level, those the evidence
        decided before the editors' judgements, then higher confidence, then the evidence
        leaning further for, then the editors' order of subjects.
        """
        guide = self.guide
        chosen = []
        for index, view in enumerate(self.views(combination)):
            rec = view.recommendation
            if rec.level not in guide.plan_levels:
                continue
            strength = rec.confidence.rank if rec.confidence else -1
            key = (self.level_order[rec.level], not rec.by_evidence, -strength, -rec.margin)
            chosen.append((key, index))
        return tuple(index for _, index in sorted(chosen))

    def combination_of(self, answers: Mapping[str, str]) -> Projection:
        """Option indices of a set of answers by id (every question answered)."""
        return tuple([o.id for o in q.options].index(answers[q.id]) for q in self.guide.questions)

    def answers_of(self, combination: Projection) -> dict[str, str]:
        """A combination as answers by id."""
        return {
            q.id: q.options[option].id
            for q, option in zip(self.guide.questions, combination, strict=True)
        }

    def recommendations(self, answers: Mapping[str, str]) -> dict[str, Recommendation]:
        """The recommendation for each subject, by subject id."""
        combination = self.combination_of(answers)
        return {
            s.subject.subject: view.recommendation
            for s, view in zip(self.subjects, self.views(combination), strict=True)
        }

    def level_sets(self) -> set[tuple[str, ...]]:
        """The distinct sets of recommendation levels over every combination of answers."""
        return {
            tuple(view.recommendation.level for view in self.views(combination))
            for combination in self.combinations()
        }

    def changing_questions(self) -> frozenset[int]:
        """Questions whose answer changes some recommendation's level for some other answers."""
        return frozenset(c.question for s in self.subjects for v in s.views for c in v.changes)


class Evaluator:
    """Decides the subjects of one guide; built once per guide from the checked knowledge base."""

    def __init__(
        self,
        guide: Guide,
        findings: Mapping[str, Finding],
        ratings: Mapping[str, confidence.Rating],
    ) -> None:
        self.guide = guide
        self.findings = findings
        self.ratings = ratings
        self.question_index = {q.id: i for i, q in enumerate(guide.questions)}
        self.option_ids = [[o.id for o in q.options] for q in guide.questions]
        # facets each option places the reader in, and the facets some option speaks of
        self.option_facets = [
            [{f: frozenset(getattr(o.context, f)) for f in FACETS} for o in q.options]
            for q in guide.questions
        ]
        self.asked = frozenset(
            f for q in self.option_facets for o in q for f, values in o.items() if values
        )
        self.cases = {
            (case.balance, confidence_level): level.id
            for level in guide.levels
            for case in level.from_evidence
            for confidence_level in (
                case.confidence or tuple(level_id(x) for x in confidence.LEVELS)
            )
        }

    # -- conditions and contexts

    def holds(self, conditions: tuple[Condition, ...], answers: Mapping[int, int]) -> bool:
        """Whether every condition holds for answers given as option index by question index."""
        for condition in conditions:
            question = self.question_index.get(condition.question)
            if question is None or question not in answers:
                return False
            if self.option_ids[question][answers[question]] not in condition.options:
                return False
        return True

    def restricted(self, finding_id: str) -> dict[str, frozenset[str]]:
        """The facets a finding restricts that the guide asks about, with the allowed values."""
        context = self.findings[finding_id].context
        restricted = {}
        for facet in FACETS:
            values = frozenset(getattr(context, facet)) - confidence.UNRESTRICTED_VALUES
            if values and facet in self.asked:
                restricted[facet] = values
        return restricted

    def fits(self, finding_id: str, answers: Mapping[int, int]) -> bool:
        """Whether the finding's context fits the answers (see the module docstring)."""
        for facet, values in self.restricted(finding_id).items():
            given: frozenset[str] = frozenset().union(
                *(self.option_facets[q][o][facet] for q, o in answers.items())
            )
            if not values & given:
                return False
        return True

    def relevant_questions(self, subject: GuideSubject) -> tuple[int, ...]:
        """The questions a subject's outcome can depend on."""
        conditions = [c for item in subject.evidence for c in item.when]
        conditions += [c for rule in subject.rules for c in rule.when]
        found = {
            self.question_index[c.question] for c in conditions if c.question in self.question_index
        }
        findings = [item.finding for item in subject.evidence]
        findings += [
            f for d in (subject.default, *(r.decision for r in subject.rules)) for f in d.about
        ]
        facets = {facet for f in findings for facet in self.restricted(f)}
        for index, question in enumerate(self.option_facets):
            if any(option[facet] for option in question for facet in facets):
                found.add(index)
        return tuple(sorted(found))

    # -- deciding

    def level_for(self, balance: str, strongest: Level) -> str | None:
        """The level a balance of evidence gives, if some level's case matches."""
        return self.cases.get((balance, level_id(strongest)))

    def recommend(self, subject: GuideSubject, answers: Mapping[int, int]) -> Recommendation:
        """The recommendation for one subject (answers: option index by question index)."""
        weighed = []
        for index, item in enumerate(subject.evidence):
            if self.holds(item.when, answers) and self.fits(item.finding, answers):
                finding = self.findings[item.finding]
                rated = self.ratings[item.finding].level
                side = side_of(item.counts, finding)
                weighed.append(Weighed(index, item.finding, side, rated, POINTS[rated]))
        order = {"for": 0, "against": 1, "cost": 2}
        weighed.sort(key=lambda w: (order[w.side], -w.points, w.item))
        pro = [w for w in weighed if w.side == "for"]
        drawbacks = [w for w in weighed if w.side == "against"]
        points_for = sum(w.points for w in pro)
        points_against = sum(w.points for w in drawbacks)
        points_cost = sum(w.points for w in weighed if w.side == "cost")
        balance = "costs" if points_cost else "silent"
        if pro or drawbacks:
            if points_for > points_against + points_cost:
                balance, leading = "for", pro
            elif points_for > points_against:
                balance, leading = "costly", pro
            elif points_for == points_against:
                balance, leading = "even", pro + drawbacks
            else:
                balance, leading = "against", drawbacks
            strongest = max((w.level for w in leading), key=lambda x: x.rank)
            given = self.level_for(balance, strongest)
            if given is not None:
                return Recommendation(
                    given,
                    True,
                    balance,
                    strongest,
                    tuple(weighed),
                    points_for,
                    points_against,
                    points_cost,
                )
        rule_index = next(
            (i for i, rule in enumerate(subject.rules) if self.holds(rule.when, answers)), None
        )
        decision = subject.default if rule_index is None else subject.rules[rule_index].decision
        return Recommendation(
            decision.level,
            False,
            balance,
            None,
            tuple(weighed),
            points_for,
            points_against,
            points_cost,
            rule_index,
            decision.judgement,
            decision.about,
        )

    def subject_table(self, subject: GuideSubject) -> SubjectTable:
        """Every outcome of a subject over the answers it depends on, with what changes it."""
        questions = self.relevant_questions(subject)
        sizes = [len(self.option_ids[q]) for q in questions]

        @functools.cache
        def decided(projection: Projection) -> Recommendation:
            return self.recommend(subject, dict(zip(questions, projection, strict=True)))

        views: dict[View, int] = {}
        view_of: dict[Projection, int] = {}
        for projection in itertools.product(*(range(size) for size in sizes)):
            recommendation = decided(projection)
            changes = []
            for position, question in enumerate(questions):
                for option in range(sizes[position]):
                    if option == projection[position]:
                        continue
                    moved = (*projection[:position], option, *projection[position + 1 :])
                    other = decided(moved).level
                    if other != recommendation.level:
                        changes.append(Change(question, option, other))
            view = View(recommendation, tuple(changes))
            view_of[projection] = views.setdefault(view, len(views))
        return SubjectTable(subject, questions, tuple(views), view_of)


def build_table(
    guide: Guide, findings: Mapping[str, Finding], ratings: Mapping[str, confidence.Rating]
) -> GuideTable:
    """Decide every subject of a checked guide for every combination of answers."""
    evaluator = Evaluator(guide, findings, ratings)
    return GuideTable(
        guide,
        tuple(evaluator.subject_table(subject) for subject in guide.subjects),
        {level.id: index for index, level in enumerate(guide.levels)},
    )


def build_tables(
    kb: KnowledgeBase, ratings: Mapping[str, confidence.Rating]
) -> dict[str, GuideTable]:
    """The table of every guide of a checked knowledge base, by guide id."""
    findings = {f.id: f for f in kb.findings}
    return {guide.id: build_table(guide, findings, ratings) for guide in kb.guides}


def answers_text(guide: Guide, answers: Mapping[str, str]) -> str:
    """Answers in words, e.g. `Models in production: None yet; Retraining: Rarely`."""
    parts = []
    for question in guide.questions:
        if question.id in answers:
            label = next(o.label for o in question.options if o.id == answers[question.id])
            parts.append(f"{question.short}: {label}")
    return "; ".join(parts)
