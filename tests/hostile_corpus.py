"""A knowledge base written by a hostile contributor: the fixture KB plus entries whose every
text field tries to inject markup, attributes, script or outside requests.

Plain-text payloads carry no HTML tag (the validator refuses tags in plain text); Markdown
payloads pass today's Markdown checks, so each one reaches the renderer. The tests build this
corpus into a real site and inspect every place the text lands.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from conftest import (
    PROJECT_PARTS,
    REPO,
    content_digest,
    mkdocs_build,
    shared_build,
    small_project,
)

PLAIN = [
    '{: onclick="alert(1)" }',
    'Heading {: #x .y onmouseover="alert(1)" style="color:red" }',
    "javascript:alert(document.cookie)",
    "[click](javascript:alert(1)) [data](data:text/html,x)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62; &#x3C;svg onload=alert(1)&#x3E;",
    "a < b && c > d; x<3 & y>2",
    "\"quoted\" 'single' `tick` ``double``",
    "*em* **strong** _u_ __uu__ ~~del~~ ==mark== ^^sup^^ ++ins++",
    "# not a heading ## either",
    "| pipe | table | cells |",
    "- not a list + nor this",
    "1. not a list",
    "2024) not a list either",
    "> not a quote",
    "{{ jinja }} {% raw %} ${template} #{ruby}",
    "![img](https://evil.example/track.png)",
    "[ref]: javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus='",
    "https://evil.example/track?x=1&y=2",
    "A" * 180,
    "Ünïcödé 漢字 🙂 العربية ελληνικά",
    "\\*escaped\\* \\\\ backslash \\",
    '=== "Tab" !!! warning "x" ??? note',
    ":smile: :: term : definition",
    "expression(alert(1)) url(https://evil.example/) @import 'x'",
    "--> ]]> */ %>",
    "X &lt;/title&gt; *x* [y](javascript:z) {: #id } &lt;b&gt; a < b",
    'S" onmouseover="alert(2)" a < p',
]
"""Plain-text payloads: titles, summaries, findings, locators, names, labels."""

MARKDOWN = [
    'Text {: onclick="alert(1)" }',
    '[x](https://example.org){: onclick="alert(1)" }',
    '[x](https://example.org){: style="background:url(https://evil.example/)" }',
    "> [quoted][r]\n>\n> [r]: https://example.org/q",
    "- a\n  - [nested][r]\n\n    [r]: https://example.org/n",
    "1. [ordered][r]\n\n    [r]: mailto:kb@example.org",
    '> - [deep][v]\n>\n>   [v]: <https://example.org/v> "t\\" onmouseover=\\"alert(1)"',
    '# Heading {: onclick="alert(1)" }',
    'Para\n{: onclick="alert(1)" style="color:red" }',
    "Code `a < b && c` stays as written.",
    "Code `&lt;script&gt;` and `{: onclick=x }` and `` `tick` ``.",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62; &#x3C;svg onload=alert(1)&#x3E;",
    '[title](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "| a | b |\n|---|---|\n| 1 | 2 |",
    '!!! warning "admonition"\n    body',
    '=== "Tab"\n    content',
    "Term\n: definition",
    "    indented code",
    "```\nfenced\n```",
    "*[HTML]: abbreviation",
    "Footnote[^1]\n\n[^1]: https://example.org/note",
    "{{ jinja }} {% if x %} ${x}",
    "> " * 40 + "deep quote",
    "".join("  " * depth + "- level\n" for depth in range(40)),
    "R&D &amp; &copy; &#x26; & &",
    "[x](https://example.org/a)b) javascript:alert(1)",
    "[x](https://example.org/%22%3E%3Csvg%20onload%3Dalert(1)%3E)",
    "[mail](mailto:kb@example.org?subject=%22x%22)",
    '[x](https://example.org){target="_blank" rel="opener"}',
    "Line one  \nLine two\\\nLine three",
    "*em* **strong** `code`\n\n- one\n- [link](https://example.org/ok)\n\n> quote",
]
"""Markdown payloads: descriptions and details. Each passes `validate`, so it reaches the
renderer; those validate refuses are in REFUSED_MARKDOWN."""

REFUSED_MARKDOWN = {
    "script link defined in a quote": "> [quoted][r]\n>\n> [r]: javascript:alert(1)",
    "script link defined in a nested list": "- a\n  - [nested][r]\n\n    [r]: javascript:alert(1)",
    "data link defined in an ordered list": "1. [ordered][r]\n\n    [r]: data:text/html,x",
    "vbscript link defined in a quoted list": "> - [deep][v]\n>\n>   [v]: vbscript:msgbox(1)",
}
"""Markdown payloads `validate` refuses (tests/test_bad_input.py has the exact messages), and
the renderer makes inert all the same (tests/test_markdown.py): links it would drop."""

HOSTILE_PREFIX = "hostile-"


def _plain(index: int) -> str:
    return PLAIN[index % len(PLAIN)]


def _write(kb: Path, folder: str, entry: dict) -> None:
    path = kb / folder / f"{entry['id']}.yaml"
    path.write_text(
        yaml.safe_dump(entry, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8"
    )


JS_PROPERTY_IDS = ("constructor", "prototype")
"""Ids that are also names of JavaScript object properties: as question and option ids of the
hostile guide they must change nothing the page does."""


def rename_to_object_properties(guide: dict) -> None:
    """Rename the first question and its first option to `constructor`, the second option to
    `prototype`, everywhere the guide names them."""
    first = guide["questions"][0]
    old_question = first["id"]
    options = {o["id"]: new for o, new in zip(first["options"], JS_PROPERTY_IDS, strict=False)}
    first["id"] = JS_PROPERTY_IDS[0]
    for option in first["options"]:
        option["id"] = options.get(option["id"], option["id"])
    for subject in guide["subjects"]:
        conditions = [c for item in subject.get("evidence", []) for c in item.get("when", [])]
        conditions += [c for rule in subject.get("rules", []) for c in rule["when"]]
        for condition in conditions:
            if condition["question"] == old_question:
                condition["question"] = JS_PROPERTY_IDS[0]
                condition["options"] = [options.get(o, o) for o in condition["options"]]


def add_hostile_entries(kb: Path) -> int:
    """Add the corpus to a kb/ folder (linked to its principles and guide); return its size."""
    principles = sorted(path.stem for path in (kb / "principles").glob("*.yaml"))
    count = 0
    citations = []
    for index in range(6):
        citation_id = f"{HOSTILE_PREFIX}source-{index}"
        citations.append(citation_id)
        _write(
            kb,
            "citations",
            {
                "id": citation_id,
                "role": "related",
                "entry_type": "article",
                "title": _plain(index),
                "year": 2020 + index,
                "authors": [
                    {"family": _plain(index + 1)[:60], "given": _plain(index + 2)[:60]},
                    {"literal": _plain(index + 3)[:80]},
                ],
                "journal": _plain(index + 4),
                "summary": _plain(index + 5),
                "study": {
                    "methods": ["survey"],
                    "participants": _plain(index + 6),
                    "setting": _plain(index + 7),
                    "samples": [{"method": "survey", "size": 3, "unit": _plain(index + 8)[:40]}],
                    "sectors": ["finance"],
                },
                "open_questions": [_plain(index + 11)],
            },
        )
        _write(
            kb,
            "studies",
            {
                "id": f"{citation_id}-study",
                "title": _plain(index + 12),
                "design": "survey",
                "kind": "primary",
                "population": _plain(index + 13),
                "sample_size": 3,
                "sample_unit": _plain(index + 14)[:60],
                "setting": _plain(index + 15),
                "peer_reviewed": False,
                "reports": [citation_id],
                "locator": "abstract",
            },
        )
        count += 2
    outcomes = []
    for index, plain in enumerate((26, 11, 20, 0, 6)):  # `=`, `-` (CSV formulas), quotes, ...
        outcome_id = f"{HOSTILE_PREFIX}outcome-{index}"
        outcomes.append(outcome_id)
        _write(
            kb,
            "outcomes",
            {
                "id": outcome_id,
                "title": _plain(plain)[:40].strip(),
                "summary": _plain(plain + 1)[:300],
                "order": 90 + index,
            },
        )
        count += 1
    for index, markdown in enumerate(MARKDOWN):
        kind = "benefits" if index % 2 == 0 else "limitations"
        entry = {
            "id": f"{HOSTILE_PREFIX}{kind[:-1]}-{index}",
            "title": f"{index} {_plain(index)}"[:90],
            "summary": _plain(index + 1),
            "description": markdown,
            "principles": [principles[index % len(principles)]] if index % 3 else [],
            "outcomes": [outcomes[index % len(outcomes)]],
            "context": {"sectors": ["finance"], "note": _plain(index + 3)},
            "evidence": [
                {
                    "citation": citations[index % len(citations)],
                    "locator": _plain(index + 4)[:100],
                    "link": "inferred" if index % 3 else "cross-cutting",
                    "finding": _plain(index + 5),
                    "note": _plain(index + 6),
                }
            ],
        }
        if kind == "limitations":
            entry["kind"] = "drawback"
        _write(kb, kind, entry)
        count += 1
    for index, markdown in enumerate(MARKDOWN[:8]):
        _write(
            kb,
            "questions",
            {
                "id": f"{HOSTILE_PREFIX}question-{index}",
                "title": _plain(index + 12),
                "details": markdown,
                "would_settle": _plain(index + 13),
                "principles": [principles[index % len(principles)]],
            },
        )
        count += 1
    model = sorted((kb / "guides").glob("*.yaml"))[0]
    guide = yaml.safe_load(model.read_text(encoding="utf-8"))
    guide.update(
        id=f"{HOSTILE_PREFIX}guide",
        title=_plain(0),
        summary=_plain(1),
        description=MARKDOWN[0] + "\n\n" + MARKDOWN[3],
        subject_heading=_plain(2)[:40],
    )
    for number, level in enumerate(guide["levels"]):
        level["label"] = _plain(3 + number)[:60]
        level["needs"] = _plain(20 + number)[:200]
    for number, question in enumerate(guide["questions"]):
        question["text"] = _plain(5 + number)
        question["short"] = _plain(15 + number)[:60]
        question["help"] = _plain(7 + number)
        for option_number, option in enumerate(question["options"]):
            option["label"] = _plain(9 + number * 2 + option_number)[:60]
    for number, subject in enumerate(guide["subjects"]):
        subject["first_step"] = _plain(25 + number)[:300]
    guide["subjects"][0]["default"]["judgement"] = _plain(13)
    rename_to_object_properties(guide)
    _write(kb, "guides", guide)
    return count + 1


@functools.cache
def hostile_site() -> tuple[Path, int]:
    """The small project (conftest) with the corpus added to its kb/, built strictly once per
    test run.

    Built once for all pytest-xdist workers (conftest `shared_build`): the folder holds
    `project/` (the corpus as written), `site/` and `count` (the number of hostile entries).
    Returns the built site folder and the number of hostile entries.
    """

    def build(root: Path) -> None:
        project = small_project(root / "project")
        count = add_hostile_entries(project / "kb")
        result = mkdocs_build(project, root / "site")
        assert result.returncode == 0, result.stderr
        (root / "count").write_text(str(count), encoding="utf-8")

    key = content_digest(REPO, (*PROJECT_PARTS, "tests/hostile_corpus.py", "tests/fixtures/kb_min"))
    root = shared_build(f"hostile-{key}", build)
    return root / "site", int((root / "count").read_text(encoding="utf-8"))
