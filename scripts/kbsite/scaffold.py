"""Scaffolding: a new entry file from a few answers, valid against its schema from the start.

Pure: `scaffold` turns answers into YAML text or problems; the command line asks the questions
and writes the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from kbsite.fields import ID_PATTERN
from kbsite.model import Record
from kbsite.registry import BY_NAME
from kbsite.validation import check, slots


@dataclass(frozen=True)
class Prompt:
    """One value the scaffold asks for."""

    name: str
    question: str
    example: str = ""
    required: bool = True


_FINDING = (
    Prompt("title", "Short title (a noun phrase)", "Fewer manual deployment steps"),
    Prompt("summary", "One sentence that states the finding"),
    Prompt(
        "principles",
        "Principle ids it concerns, comma-separated (empty: cross-cutting)",
        "ci-cd-automation",
        required=False,
    ),
    Prompt(
        "outcomes",
        "Outcome groups it speaks of, comma-separated (see kb/outcomes/)",
        "delivery-speed",
    ),
    Prompt("citation", "Citation id of the source", "araujo-2024"),
    Prompt("locator", "Where in the source (section, page or abstract)", "Section 4.2"),
    Prompt(
        "link",
        "Who links it to the principles: stated or inferred (cross-cutting when no principle)",
        "inferred",
        required=False,
    ),
    Prompt("finding", "What the source reports, in your own words"),
)

PROMPTS: dict[str, tuple[Prompt, ...]] = {
    "benefit": _FINDING,
    "limitation": (
        *_FINDING[:2],
        Prompt("kind", "Kind: drawback, adoption-challenge or required-effort", "drawback"),
        *_FINDING[2:],
    ),
    "principle": (
        Prompt("title", "Name of the principle"),
        Prompt("summary", "One-sentence definition, paraphrased"),
        Prompt("description", "Longer description"),
        Prompt("citation", "Citation id of the defining source", "kreuzberger-2023"),
        Prompt("locator", "Where in the source it is defined", "Section IV-A"),
    ),
    "citation": (
        Prompt("role", "Role: primary, framework or related", "related"),
        Prompt("entry_type", "BibTeX entry type (article, inproceedings, misc, ...)", "article"),
        Prompt("title", "Title as published"),
        Prompt(
            "authors",
            "Authors as 'Family, Given' separated by ';'",
            "Araujo, Gabriel; Kalinowski, Marcos",
        ),
        Prompt("year", "Year of publication", "2024", required=False),
        Prompt("summary", "Your own summary of the source (never the abstract)"),
    ),
    "study": (
        Prompt(
            "title", "What was studied, and how, in one line", "Interview study of ML engineers"
        ),
        Prompt(
            "design", "Design (interviews, survey, focus-groups, case-study, ...)", "interviews"
        ),
        Prompt("kind", "Kind: primary, secondary (a review) or mixed", "primary"),
        Prompt("population", "Who or what was studied", "ML engineers in 12 companies"),
        Prompt("sample_size", "How many participants or items", "18", required=False),
        Prompt("sample_unit", "What was counted", "ML engineers", required=False),
        Prompt("setting", "Domain or setting studied", required=False),
        Prompt("data_collected", "When the data was collected", "2021", required=False),
        Prompt("peer_reviewed", "Has a report of it passed peer review? yes or no", "yes"),
        Prompt(
            "reports",
            "Citation ids of the publications that report it, comma-separated",
            "shankar-2022, shankar-2024",
        ),
        Prompt("locator", "Where you read these facts (section, page or abstract)", "abstract"),
    ),
    "outcome": (
        Prompt("title", "Name of the group, as the map's column shows it", "Delivery speed"),
        Prompt("summary", "What the group covers, in one sentence"),
        Prompt("order", "Place of its column on the map (1 is leftmost)", "7"),
    ),
    "question": (
        Prompt("title", "The open question, in one line"),
        Prompt("details", "What is known and what is missing"),
        Prompt("would_settle", "Which source or fact would answer it"),
    ),
}


def conditional_prompts(type_name: str, answers: dict[str, str]) -> tuple[Prompt, ...]:
    """The prompts of a type, with what its model requires given the answers so far.

    Read from the model's `requirements`, so the questions follow the model: once
    `entry_type` is `article`, `journal` is asked for and `year` becomes required.
    """
    model = BY_NAME[type_name].model
    required_now: dict[str, str] = {}
    for rule in model.requirements:
        if answers.get(rule.when_field, "").strip() == rule.when_value:
            for name in rule.required:
                required_now.setdefault(name, f"`{rule.when_field}` is {rule.when_value}")
    prompts = [
        replace(p, required=True) if p.name in required_now else p for p in PROMPTS[type_name]
    ]
    asked = {p.name for p in prompts}
    for name, when in required_now.items():
        if name not in asked:
            description = (model.model_fields[name].description or name).rstrip(".")
            prompts.append(Prompt(name, f"{description} (required when {when})"))
    return tuple(prompts)


def settable_fields(type_name: str) -> tuple[str, ...]:
    """Every field `--set` accepts: the prompts, and each field the model may require.

    Such as `journal` or `school`, required depending on `entry_type`.
    """
    names = [p.name for p in PROMPTS[type_name]]
    for rule in BY_NAME[type_name].model.requirements:
        names += [name for name in rule.required if name not in names]
    return tuple(names)


def _split(value: str, separator: str = ",") -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]


def entry_data(type_name: str, entry_id: str, answers: dict[str, str]) -> dict[str, Any]:
    """The entry's fields, in schema order, from the answers."""
    data: dict[str, Any] = {"id": entry_id}
    if type_name in ("benefit", "limitation"):
        principles = _split(answers.get("principles", ""))
        data.update(title=answers["title"], summary=answers["summary"])
        if type_name == "limitation":
            data["kind"] = answers["kind"]
        data["principles"] = principles
        data["outcomes"] = _split(answers.get("outcomes", ""))
        data["evidence"] = [
            {
                "citation": answers["citation"],
                "locator": answers["locator"],
                "link": answers.get("link") or ("inferred" if principles else "cross-cutting"),
                "finding": answers["finding"],
            }
        ]
    elif type_name == "principle":
        data.update(
            title=answers["title"],
            summary=answers["summary"],
            description=answers["description"],
            defined_in={"citation": answers["citation"], "locator": answers["locator"]},
        )
    elif type_name == "citation":
        authors = []
        for name in _split(answers["authors"], ";"):
            family, _, given = (part.strip() for part in name.partition(","))
            authors.append({"family": family, "given": given} if given else {"family": family})
        data.update(
            role=answers["role"],
            entry_type=answers["entry_type"],
            title=answers["title"],
            authors=authors,
        )
        if answers.get("year", "").strip().isdigit():
            data["year"] = int(answers["year"])
        for name in settable_fields(type_name)[len(PROMPTS[type_name]) :]:
            if answers.get(name, "").strip():  # journal, booktitle, school, ...
                data[name] = answers[name].strip()
        data["summary"] = answers["summary"]
    elif type_name == "outcome":
        order = answers.get("order", "").strip()
        data.update(
            title=answers["title"],
            summary=answers["summary"],
            order=int(order) if order.isdigit() else order,
        )
    elif type_name == "study":
        data.update(
            title=answers["title"],
            design=answers["design"],
            kind=answers["kind"],
            population=answers["population"],
        )
        size = answers.get("sample_size", "").strip()
        if size:
            data["sample_size"] = int(size) if size.isdigit() else size
        for name in ("sample_unit", "setting", "data_collected"):
            if answers.get(name, "").strip():
                data[name] = answers[name].strip()
        data["peer_reviewed"] = YES_NO.get(answers["peer_reviewed"].strip().lower(), False)
        data["reports"] = _split(answers["reports"])
        data["locator"] = answers["locator"]
    else:
        data.update(
            title=answers["title"], details=answers["details"], would_settle=answers["would_settle"]
        )
    return data


YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
"""Answers to a yes-or-no prompt."""


REFERENCES = {
    "citation": "citation",
    "principles": "principle",
    "outcomes": "outcome",
    "reports": "citation",
}
"""Answers that name other entries, and the type of entry each must name."""
_SPLIT_ANSWERS = {"principles": ",", "outcomes": ",", "reports": ","}


def retired_hint(type_name: str, name: str) -> str:
    """Where a retired field of the entry type (or of a mapping in it) went; "" if none is."""
    pending: list[type[Record]] = [BY_NAME[type_name].model]
    seen: list[type[Record]] = []
    while pending:
        record = pending.pop()
        if record in seen:
            continue
        seen.append(record)
        if name in record.retired_fields:
            return record.retired_fields[name]
        pending += [slot.record for slot in slots(record).values() if slot.record is not None]
    return ""


def check_answer(
    type_name: str,
    name: str,
    value: str,
    known: dict[str, frozenset[str]] | None = None,
    reported_by: Mapping[str, str] | None = None,
) -> str:
    """The problem with one answer, checked as soon as it is given; "" when it is fine.

    `reported_by` maps each citation that a study already reports to that study's id: a
    report belongs to one study, so a new study may not claim it.
    """
    prompts = {p.name: p for p in PROMPTS[type_name]}
    prompt = prompts.get(name) or Prompt(name, name)
    if not value.strip():
        return "expected a value, found none" if prompt.required else ""
    target = REFERENCES.get(name)
    ids = _split(value) if name in _SPLIT_ANSWERS else [value.strip()]
    if target and known is not None:
        missing = [i for i in ids if i not in known.get(target, frozenset())]
        if missing:
            return (
                f"expected the id of an existing {BY_NAME[target].model.record_name}, found "
                f"`{missing[0]}` (see kb/{BY_NAME[target].folder}/)"
            )
    if type_name == "study" and name == "reports" and reported_by:
        taken = [i for i in ids if i in reported_by]
        if taken:
            study = reported_by[taken[0]]
            return (
                f"expected citations no study reports yet, found `{taken[0]}`, which "
                f"kb/studies/{study}.yaml reports (a publication belongs to one study; if this "
                f"is the same study, add your other citations to that file's `reports`)"
            )
    if name == "peer_reviewed" and value.strip().lower() not in YES_NO:
        return f"expected yes or no, found `{value}`"
    if name == "order" and not value.strip().isdigit():
        return f"expected a whole number such as 7, found `{value}`"
    if name == "sample_size" and not value.strip().isdigit():
        return f"expected a whole number such as 18, found `{value}`"
    if type_name == "citation" and name == "authors":
        if not all(part.partition(",")[0].strip() for part in value.split(";")):
            return "expected names as 'Family, Given' separated by ';', found an empty name"
        return ""
    if name == "year" and not value.strip().isdigit():
        return f"expected a year such as 2024, found `{value}`"
    # The entry as far as it is known, checked by the model; only this answer's problems count.
    answers = dict.fromkeys(settable_fields(type_name), "") | {name: value}
    data = entry_data(type_name, "new-entry", answers)
    for violation in check(BY_NAME[type_name].model, data):
        if name in violation.path:
            return violation.message + (f" ({violation.hint})" if violation.hint else "")
    return ""


def scaffold(
    type_name: str,
    entry_id: str,
    answers: dict[str, str],
    existing_ids: set[str],
    known: dict[str, frozenset[str]] | None = None,
    reported_by: Mapping[str, str] | None = None,
) -> tuple[str, list[str]]:
    """YAML text for a new entry, or the problems that prevent it.

    Missing answers are named with the `--set field=value` that gives them; answers that
    name other entries must name existing ones (`known`: ids by entry type), and a new study
    may not claim a citation another study reports (`reported_by`).
    """
    problems = []
    if not re.fullmatch(ID_PATTERN, entry_id):
        fixed = re.sub(r"[^a-z0-9]+", "-", entry_id.lower()).strip("-")
        problems.append(f"expected a kebab-case id, found `{entry_id}`; try `{fixed}`")
    if entry_id in existing_ids:
        problems.append(f"expected a new id, found `{entry_id}`, which an entry already uses")
    prompts = conditional_prompts(type_name, answers)
    missing = [p.name for p in prompts if p.required and not answers.get(p.name, "").strip()]
    if missing:
        problems.append(
            "expected values for "
            + ", ".join(f"`{name}`" for name in missing)
            + ", found none; give each with "
            + " ".join(f"--set {name}=VALUE" for name in missing)
        )
    for prompt in prompts:
        value = answers.get(prompt.name, "")
        if prompt.name in missing or not value:
            continue
        problem = check_answer(type_name, prompt.name, value, known, reported_by)
        if problem:
            problems.append(f"{prompt.name}: {problem}")
    if problems:
        return "", problems
    data = entry_data(type_name, entry_id, answers)
    for violation in check(BY_NAME[type_name].model, data):
        where = ".".join(str(part) for part in violation.path)
        problems.append(
            f"{where}: {violation.message}" + (f" ({violation.hint})" if violation.hint else "")
        )
    if problems:
        return "", problems
    header = f"# yaml-language-server: $schema=../schema/{type_name}.schema.json\n"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return header + body, []
