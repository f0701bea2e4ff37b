"""The checks on decision guides: every id resolves, and every part of a guide does something.

Structural checks need only the guide. The behavioural checks run the evaluator over every
combination of answers (`guides.build_table`), so they are exact: a question that changes no
level for any combination of the other answers is reported, however many rules mention it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from kbsite import confidence
from kbsite.errors import Issue
from kbsite.guides import Evaluator, GuideTable, build_table, level_id
from kbsite.model import Condition, Decision, Finding, Guide
from kbsite.yamlio import Path_


def _issue(guide: Guide, where: Path_, message: str, hint: str = "") -> Issue:
    position = guide.source.position(where)
    return Issue(guide.source.path, position.line, position.column, message, hint)


def _names(ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(ids)


def _conditions(guide: Guide, conditions: tuple[Condition, ...], where: Path_) -> Iterator[Issue]:
    """Each condition names a question of the guide and its options; together they can hold."""
    options = {q.id: [o.id for o in q.options] for q in guide.questions}
    allowed: dict[str, set[str]] = {}
    for index, condition in enumerate(conditions):
        if condition.question not in options:
            yield _issue(
                guide,
                (*where, index, "question"),
                f"expected the id of a question of this guide ({_names(list(options))}), "
                f"found `{condition.question}`",
            )
            continue
        known = options[condition.question]
        for o_index, option in enumerate(condition.options):
            if option not in known:
                yield _issue(
                    guide,
                    (*where, index, "options", o_index),
                    f"expected an option of `{condition.question}` ({_names(known)}), "
                    f"found `{option}`",
                )
        previous = allowed.get(condition.question)
        here = set(condition.options)
        if previous is not None and not previous & here:
            yield _issue(
                guide,
                (*where, index),
                f"expected conditions some answers can meet, found two on `{condition.question}` "
                "that exclude each other",
                "merge them into one condition listing the options that qualify",
            )
        allowed[condition.question] = here if previous is None else previous & here


def check_structure(guide: Guide, findings: Mapping[str, Finding]) -> Iterator[Issue]:
    """Ids are unique and resolve within the guide; levels' evidence cases do not overlap."""
    levels = [level.id for level in guide.levels]
    options = {q.id: [o.id for o in q.options] for q in guide.questions}
    for name, ids, where in (
        ("level", levels, ("levels",)),
        ("question", list(options), ("questions",)),
        *(
            (f"option of `{q}`", o, ("questions", i, "options"))
            for i, (q, o) in enumerate(options.items())
        ),
    ):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            yield _issue(
                guide, where, f"expected each {name} id once, found `{repeated[0]}` more than once"
            )
    for index, plan_level in enumerate(guide.plan_levels):
        if plan_level not in levels:
            yield _issue(
                guide,
                ("plan_levels", index),
                f"expected one of the guide's levels ({_names(levels)}), found `{plan_level}`",
            )
    every_confidence = tuple(confidence.LEVELS)
    claimed: dict[tuple[str, str], str] = {}
    for l_index, level in enumerate(guide.levels):
        for c_index, case in enumerate(level.from_evidence):
            confidences = case.confidence or tuple(level_id(c) for c in every_confidence)
            for value in confidences:
                owner = claimed.setdefault((case.balance, value), level.id)
                if owner != level.id:
                    yield _issue(
                        guide,
                        ("levels", l_index, "from_evidence", c_index),
                        f"expected each balance and confidence to give one level, found "
                        f"`{case.balance}` with `{value}` confidence in `{owner}` and "
                        f"`{level.id}`",
                        "narrow the `confidence` of one of the two cases",
                    )
                    break
    seen: set[str] = set()
    for s_index, subject in enumerate(guide.subjects):
        base: Path_ = ("subjects", s_index)
        if subject.subject in seen:
            yield _issue(
                guide,
                (*base, "subject"),
                f"expected each subject once, found `{subject.subject}` again",
                "merge its evidence and rules into one subject",
            )
        seen.add(subject.subject)
        in_evidence: set[str] = set()
        for e_index, item in enumerate(subject.evidence):
            where = (*base, "evidence", e_index)
            if item.finding in in_evidence:
                yield _issue(
                    guide,
                    (*where, "finding"),
                    f"expected each finding once in the evidence of `{subject.subject}`, "
                    f"found `{item.finding}` again",
                    "keep one item; one finding weighs once",
                )
            in_evidence.add(item.finding)
            finding = findings.get(item.finding)
            if (
                finding is not None
                and finding.type == "benefit"
                and item.counts not in (None, "for")
            ):
                yield _issue(
                    guide,
                    (*where, "counts"),
                    f"expected a benefit to count `for`, found `{item.counts}`",
                    "only limitations weigh against or as a cost; remove `counts`",
                )
            yield from _conditions(guide, item.when, (*where, "when"))
        decisions: list[tuple[Path_, str]] = [((*base, "default", "level"), subject.default.level)]
        for r_index, rule in enumerate(subject.rules):
            where = (*base, "rules", r_index)
            decisions.append(((*where, "decision", "level"), rule.decision.level))
            yield from _conditions(guide, rule.when, (*where, "when"))
        for where, chosen in decisions:
            if chosen not in levels:
                yield _issue(
                    guide,
                    where,
                    f"expected one of the guide's levels ({_names(levels)}), found `{chosen}`",
                )


def _example(guide: Guide, answers: Mapping[int, int]) -> str:
    """Answers (option index by question index) as ids, for a message."""
    parts = []
    for question, option in sorted(answers.items()):
        q = guide.questions[question]
        parts.append(f"{q.id}: {q.options[option].id}")
    return ", ".join(parts) or "any answers"


def check_behaviour(guide: Guide, evaluator: Evaluator, table: GuideTable) -> Iterator[Issue]:
    """Every question changes a level, every level and rule is used, every reason can fit."""
    changing = table.changing_questions()
    for q_index, question in enumerate(guide.questions):
        if q_index not in changing:
            yield _issue(
                guide,
                ("questions", q_index, "id"),
                f"expected question `{question.id}` to change the level of some "
                "recommendation, found that no answer to it does, whatever the other answers",
                "use it in an evidence item's or a rule's `when` where it moves the balance or "
                "the decision, give its options a `context`, or remove it",
            )
    produced = {v.recommendation.level for s in table.subjects for v in s.views}
    for l_index, level in enumerate(guide.levels):
        if level.id not in produced:
            yield _issue(
                guide,
                ("levels", l_index, "id"),
                f"expected level `{level.id}` to be the outcome of some answers, found none "
                "that lead to it",
                "remove the level, or add a case or a rule that gives it",
            )
    for s_index, subject_table in enumerate(table.subjects):
        subject = subject_table.subject
        base: Path_ = ("subjects", s_index)
        questions = subject_table.questions
        projections = [
            dict(zip(questions, p, strict=True))
            for p in itertools.product(*(range(len(guide.questions[q].options)) for q in questions))
        ]
        used = {
            v.recommendation.rule for v in subject_table.views if not v.recommendation.by_evidence
        }
        for r_index, _ in enumerate(subject.rules):
            if r_index not in used:
                yield _issue(
                    guide,
                    (*base, "rules", r_index),
                    f"expected rule {r_index + 1} of `{subject.subject}` to decide some answers, "
                    "found none: the evidence or an earlier rule decides every answer it holds for",
                    "remove it, or move it before the rule that takes its answers",
                )
        for e_index, item in enumerate(subject.evidence):
            if not any(
                evaluator.holds(item.when, answers) and evaluator.fits(item.finding, answers)
                for answers in projections
            ):
                yield _issue(
                    guide,
                    (*base, "evidence", e_index),
                    f"expected evidence `{item.finding}` to fit some answers, found that its "
                    "`when` and the finding's context never hold together",
                    "loosen the `when`, or give an option the context the finding names",
                )
        decisions: list[tuple[Path_, Decision, int | None]] = [
            ((*base, "default"), subject.default, None)
        ]
        decisions += [
            ((*base, "rules", i, "decision"), rule.decision, i)
            for i, rule in enumerate(subject.rules)
        ]
        for where, decision, rule_index in decisions:
            for a_index, finding in enumerate(decision.about):
                for answers in projections:
                    rec = evaluator.recommend(subject, answers)
                    if rec.by_evidence or rec.rule != rule_index:
                        continue
                    if not evaluator.fits(finding, answers):
                        yield _issue(
                            guide,
                            (*where, "about", a_index),
                            f"expected the findings a judgement draws on to fit every answer it "
                            f"is given for, found `{finding}`, whose context does not fit the "
                            f"answers `{_example(guide, answers)}`",
                            "add a rule condition that matches the finding's context, or leave "
                            "the finding out of `about`",
                        )
                        break


def check_guide(
    guide: Guide,
    findings: Mapping[str, Finding],
    ratings: Mapping[str, confidence.Rating] | None,
) -> list[Issue]:
    """Every problem of one guide; the behavioural checks need the ratings and a sound guide."""
    issues = list(check_structure(guide, findings))
    if issues or ratings is None:
        return issues
    evaluator = Evaluator(guide, findings, ratings)
    table = build_table(guide, findings, ratings)
    return list(check_behaviour(guide, evaluator, table))


def report(table: GuideTable) -> str:
    """One line on a guide's reach, as `kbsite validate` prints it."""
    guide = table.guide
    sets = len(table.level_sets())
    return (
        f"{guide.source.path}: {table.combination_count} combinations of answers give "
        f"{sets} distinct set{'s' if sets != 1 else ''} of recommendations; each of its "
        f"{len(guide.questions)} questions changes some level"
    )
