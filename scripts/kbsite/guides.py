"""Decision guides: the evaluator, and the checks that make every answer lead somewhere.

The JavaScript on the guide pages (docs/javascripts/guide.js) implements the same evaluation;
a browser test proves both agree on every combination of answers.

Semantics: for each subject, every rule whose conditions all hold applies; rules that can
apply together must give the same level (checked), and then their findings are combined. When
no rule applies, the subject's default outcome does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping

from kbsite.errors import Issue
from kbsite.model import Guide, GuideSubject, KnowledgeBase, Outcome, Rule
from kbsite.yamlio import Path_

Answers = Mapping[str, str]
COMBINATION_LIMIT = 20_000
"""Above this many combinations of answers, checks and tests use a fixed sample."""


def rule_applies(rule: Rule, answers: Answers) -> bool:
    """True when every condition of the rule holds for the answers."""
    return all(answers.get(c.question) in c.options for c in rule.when)


def evaluate_subject(subject: GuideSubject, answers: Answers) -> Outcome:
    """The outcome for one subject."""
    applying = [rule.outcome for rule in subject.rules if rule_applies(rule, answers)]
    if not applying:
        return subject.default
    because = tuple(dict.fromkeys(f for outcome in applying for f in outcome.because))
    judgement = " ".join(o.judgement for o in applying if o.judgement)
    return Outcome.model_construct(level=applying[0].level, because=because, judgement=judgement)


def evaluate(guide: Guide, answers: Answers) -> dict[str, Outcome]:
    """The outcome for every subject of the guide, by subject id."""
    return {s.subject: evaluate_subject(s, answers) for s in guide.subjects}


def combinations(guide: Guide) -> Iterator[dict[str, str]]:
    """Every combination of answers, in a fixed order."""
    ids = [q.id for q in guide.questions]
    for choice in itertools.product(*[[o.id for o in q.options] for q in guide.questions]):
        yield dict(zip(ids, choice, strict=True))


def combination_count(guide: Guide) -> int:
    """How many combinations of answers the guide has."""
    count = 1
    for question in guide.questions:
        count *= len(question.options)
    return count


def _overlap(first: Rule, second: Rule) -> bool:
    """Whether some answers satisfy both rules (conditions on one question must intersect)."""
    constraints: dict[str, set[str]] = {}
    for condition in (*first.when, *second.when):
        allowed = set(condition.options)
        constraints[condition.question] = constraints.get(condition.question, allowed) & allowed
    return all(constraints.values())


def _issue(guide: Guide, where: Path_, message: str, hint: str = "") -> Issue:
    position = guide.source.position(where)
    return Issue(guide.source.path, position.line, position.column, message, hint)


def check_guide(guide: Guide, kb: KnowledgeBase) -> Iterator[Issue]:
    """Every id resolves, no two rules contradict, every rule and level can be reached."""
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
    del kb  # that `subject` and `because` name existing entries is checked with all references
    seen_subjects: set[str] = set()
    used_questions: set[str] = set()
    for s_index, subject in enumerate(guide.subjects):
        base = ("subjects", s_index)
        if subject.subject in seen_subjects:
            yield _issue(
                guide,
                (*base, "subject"),
                f"expected each subject once, found `{subject.subject}` again",
                "merge its rules into one subject",
            )
        seen_subjects.add(subject.subject)
        outcomes: list[tuple[Path_, Outcome]] = [((*base, "default"), subject.default)]
        outcomes += [((*base, "rules", r), rule.outcome) for r, rule in enumerate(subject.rules)]
        for where, outcome in outcomes:
            if outcome.level not in levels:
                yield _issue(
                    guide,
                    (*where, "level"),
                    f"expected one of the guide's levels "
                    f"({', '.join(levels)}), found `{outcome.level}`",
                )
            if not outcome.because and not outcome.judgement:
                yield _issue(
                    guide,
                    where,
                    "expected `because` findings or the editors' `judgement`, found neither",
                    "name the findings the outcome rests on, or explain the "
                    "editors' reasoning in `judgement`",
                )
        for r_index, rule in enumerate(subject.rules):
            where = (*base, "rules", r_index)
            for c_index, condition in enumerate(rule.when):
                used_questions.add(condition.question)
                if condition.question not in options:
                    yield _issue(
                        guide,
                        (*where, "when", c_index, "question"),
                        f"expected the id of a question of this guide, found "
                        f"`{condition.question}`",
                    )
                    continue
                for o_index, option in enumerate(condition.options):
                    if option not in options[condition.question]:
                        yield _issue(
                            guide,
                            (*where, "when", c_index, "options", o_index),
                            f"expected an option of `{condition.question}` ("
                            f"{', '.join(options[condition.question])}), found "
                            f"`{option}`",
                        )
            if not _overlap(rule, rule):
                yield _issue(
                    guide,
                    where,
                    "expected a rule some answers can satisfy, found "
                    "conditions on one question that exclude each other",
                )
            for earlier_index in range(r_index):
                earlier = subject.rules[earlier_index]
                if earlier.outcome.level != rule.outcome.level and _overlap(earlier, rule):
                    yield _issue(
                        guide,
                        where,
                        f"expected rules for `{subject.subject}` to "
                        f"agree, found rule {earlier_index + 1} "
                        f"(`{earlier.outcome.level}`) and rule {r_index + 1} "
                        f"(`{rule.outcome.level}`) applying to the same answers",
                        "add a condition that separates them",
                    )
    for q_index, question in enumerate(guide.questions):
        if question.id not in used_questions:
            yield _issue(
                guide,
                ("questions", q_index, "id"),
                f"expected question "
                f"`{question.id}` to change some recommendation, found no rule "
                "that uses it",
                "use it in a rule's `when`, or remove it",
            )
    if combination_count(guide) <= COMBINATION_LIMIT:
        produced = {
            o.level for answers in combinations(guide) for o in evaluate(guide, answers).values()
        }
        for l_index, level in enumerate(guide.levels):
            if level.id not in produced:
                yield _issue(
                    guide,
                    ("levels", l_index, "id"),
                    f"expected level `{level.id}` "
                    "to be the outcome of some answers, found none that lead to it",
                    "remove the level or add a rule that gives it",
                )
