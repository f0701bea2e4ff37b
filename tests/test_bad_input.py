"""The contributor-facing error messages, exactly: each case is a broken fixture KB."""

from __future__ import annotations

import html as html_module
import re

import pytest

from kbsite import KBError, check_kb
from kbsite.markdown import render_markdown

from hostile_corpus import MARKDOWN, PLAIN, REFUSED_MARKDOWN

P = "kb/principles/alpha.yaml"
B = "kb/benefits/faster-things.yaml"
C = "kb/citations/smith-2020.yaml"

GOOD_BENEFIT = """\
id: faster-things
title: Faster things
summary: Things happen faster.
principles: [alpha]
evidence:
  - citation: doe-2021
    locator: abstract
    link: inferred
    finding: Respondents said things went faster.
  - citation: smith-2020
    locator: page 4
    link: stated
    finding: Interviewees linked speed.
outcomes: [speed]
"""

CASES = {
    "yaml syntax error": (
        {"benefits/faster-things.yaml": "id: faster-things\ntitle: [unclosed\n"},
        [
            f"{B}:3:1: expected valid YAML, found a syntax error: did not find expected ',' or "
            "']'\n    hint: check the indentation and quoting on this line and the one before it"
        ],
    ),
    "misspelled field": (
        {"benefits/faster-things.yaml": GOOD_BENEFIT.replace("principles:", "principels:")},
        [
            f"{B}:4:1: expected a field of a benefit, found unknown field `principels`\n"
            "    hint: did you mean `principles`?",
            f"{B}:1:1: expected field `principles` in this benefit, found none\n"
            "    hint: add `principles:` to the benefit",
        ],
    ),
    "duplicate key": (
        {"benefits/faster-things.yaml": GOOD_BENEFIT + "title: Again\n"},
        [
            f"{B}:15:1: expected each field once, found `title` again (first on line 2)\n"
            "    hint: PyYAML would silently keep only the last one; merge the two into one field"
        ],
    ),
    "wrong type from a yaml boolean": (
        {"benefits/faster-things.yaml": GOOD_BENEFIT.replace("locator: abstract", "locator: no")},
        [
            f"{B}:7:14: expected text, found the boolean false\n"
            "    hint: YAML reads yes/no/on/off/true/false as booleans; put the text in quotes"
        ],
    ),
    "unknown vocabulary value": (
        {"benefits/faster-things.yaml": GOOD_BENEFIT.replace("link: inferred", "link: infered")},
        [
            f"{B}:8:11: expected one of `stated`, `inferred`, `cross-cutting`, found 'infered'\n"
            "    hint: did you mean `inferred`?"
        ],
    ),
    "retired study field on evidence, with its old values": (
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT.replace(
                "    link: stated\n", "    study: [interviews, surveys]\n    link: stated\n"
            )
        },
        [
            f"{B}:12:5: expected no `study` in an evidence item (the field was retired), found "
            "`study`\n    hint: the study's design now comes from kb/studies/<id>.yaml, the "
            "study whose `reports` list this citation; remove `study:`"
        ],
    ),
    "empty evidence list": (
        {
            "limitations/more-effort.yaml": "id: more-effort\ntitle: More effort\nsummary: S.\n"
            "kind: drawback\nprinciples: []\nevidence: []\noutcomes: [effort]\n"
        },
        ["kb/limitations/more-effort.yaml:6:11: expected at least 1 item, found 0"],
    ),
    "dangling reference with suggestion": (
        {"benefits/faster-things.yaml": GOOD_BENEFIT.replace("[alpha]", "[alpah]")},
        [
            f"{B}:4:14: expected the id of an existing principle, found `alpah`\n"
            "    hint: did you mean `alpha`?"
        ],
    ),
    "dangling citation without a close match": (
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT.replace(
                "citation: doe-2021", "citation: nobody-1999"
            )
        },
        [
            f"{B}:6:15: expected the id of an existing citation, found `nobody-1999`\n"
            "    hint: add kb/citations/nobody-1999.yaml or fix the id"
        ],
    ),
    "citation nobody cites": (
        {
            "citations/lonely-2000.yaml": "id: lonely-2000\nrole: related\nentry_type: misc\n"
            "title: Lonely\nauthors: [{family: Lone}]\nsummary: Not cited.\n"
        },
        [
            "kb/citations/lonely-2000.yaml:1:5: expected citation `lonely-2000` to be cited by "
            "some entry, found no entry that cites it\n    hint: cite it in an evidence item, a "
            "principle's `defined_in`, or another citation's `related`; otherwise delete the file"
        ],
    ),
    "duplicate id across types": (
        {
            "limitations/faster-things.yaml": "id: faster-things\ntitle: T\nsummary: S.\n"
            "kind: drawback\nprinciples: []\nevidence:\n  - {citation: doe-2021, locator: p. 2, "
            "link: cross-cutting, finding: F.}\noutcomes: [effort]\n"
        },
        [
            "kb/limitations/faster-things.yaml:1:5: expected a unique id, found `faster-things` "
            "already used by kb/benefits/faster-things.yaml\n"
            "    hint: choose a more specific id for one of them"
        ],
    ),
    "not utf-8": (
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT.encode("utf-8").replace(
                b"Faster things", b"Fast\xe9r things"
            )
        },
        [
            f"{B}:2:12: expected UTF-8 text, found the byte 0xE9\n"
            "    hint: save the file as UTF-8 (most editors offer this under 'encoding')"
        ],
    ),
    "missing type-specific bibtex field": (
        {
            "citations/smith-2020.yaml": "id: smith-2020\nrole: framework\nentry_type: article\n"
            "title: T\nauthors: [{family: Smith}]\nyear: 2020\nsummary: S.\n"
        },
        [
            f"{C}:1:1: expected field `journal` in this citation (required when `entry_type` is "
            "`article`), found none\n    hint: add `journal:` to the citation"
        ],
    ),
    "malformed doi": (
        {
            "citations/smith-2020.yaml": "id: smith-2020\nrole: framework\nentry_type: misc\n"
            "title: T\nauthors: [{family: Smith}]\nsummary: S.\n"
            "doi: https://doi.org/10.1/x\n"
        },
        [
            f"{C}:7:6: expected a DOI such as 10.1109/ACCESS.2023.3262138, found "
            "'https://doi.org/10.1/x'\n    hint: leave out the https://doi.org/ prefix"
        ],
    ),
    "cross-cutting link on a finding with principles": (
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT.replace(
                "link: stated", "link: cross-cutting"
            )
        },
        [
            f"{B}:12:11: expected `stated` or `inferred` for a finding linked to principles, found "
            "`cross-cutting`\n    hint: use `inferred` when the editors map the finding to the "
            "principles"
        ],
    ),
    "javascript link and raw html in markdown": (
        {
            "principles/beta.yaml": "id: beta\ntitle: Beta\nsummary: S.\ndescription: |\n"
            "  Click [here](javascript:alert(1)) <script>x</script>\n"
            "defined_in: {citation: smith-2020, locator: p. 1}\n"
        },
        [
            "kb/principles/beta.yaml:5:16: expected a link to an https:// address, found "
            "`javascript:alert(1)`\n    hint: links may not run code; link to an https:// address",
            "kb/principles/beta.yaml:5:37: expected Markdown without HTML, found `<script>`\n"
            "    hint: use Markdown syntax instead of HTML",
            "kb/principles/beta.yaml:5:46: expected Markdown without HTML, found `</script>`\n"
            "    hint: use Markdown syntax instead of HTML",
        ],
    ),
    "yaml alias and custom tag": (
        {
            "principles/beta.yaml": "id: beta\ntitle: &t Beta\nsummary: *t\n"
            "description: !!python/name:os.system x\n"
            "defined_in: {citation: smith-2020, locator: p. 1}\n"
        },
        [
            "kb/principles/beta.yaml:3:10: expected each value written out, found a YAML alias "
            "(*name)\n    hint: anchors and aliases are not allowed in entries; copy the value "
            "instead",
            "kb/principles/beta.yaml:4:14: expected plain text, a number, a list or a mapping, "
            "found the YAML tag !!python/name:os.system\n"
            "    hint: remove the tag; entries may only hold plain data",
        ],
    ),
    "hidden control character": (
        {
            "principles/beta.yaml": 'id: beta\ntitle: "Be\\u202Eta"\nsummary: S.\n'
            "description: D.\ndefined_in: {citation: smith-2020, locator: p. 1}\n"
        },
        [
            "kb/principles/beta.yaml:2:8: expected visible text, found U+202E RIGHT-TO-LEFT "
            "OVERRIDE, a direction-changing character, written as an escape\n"
            "    hint: invisible and direction-changing characters can hide text from reviewers; "
            "delete the escape"
        ],
    ),
    "wrong file extension and unknown folder": (
        {"benefits/notes.txt": "x", "benefit/x.yaml": "id: x\n"},
        [
            "kb/benefit: expected an entry folder, found unknown folder `benefit`\n"
            "    hint: did you mean `benefits`?",
            "kb/benefits/notes.txt: expected only .yaml entry files in benefits/, found `notes.txt`"
            "\n    hint: rename it to notes.yaml or move it out",
        ],
    ),
    "empty file": (
        {"benefits/faster-things.yaml": ""},
        [
            f"{B}:1:1: expected a mapping of benefit fields, found an empty file\n"
            "    hint: start with `id: <file name>` on the first line"
        ],
    ),
}

ALPHA_WITH_WRONG_ID = """\
id: alpha-principle
number: 1
title: Alpha principle
summary: The first test principle.
description: D.
defined_in:
  citation: smith-2020
  locator: Section 2
"""
CASES["id differs from file name"] = (
    {"principles/alpha.yaml": ALPHA_WITH_WRONG_ID},
    [
        f"{P}:1:5: expected the id to equal the file name `alpha`, found `alpha-principle`\n"
        "    hint: rename the file to alpha-principle.yaml or set `id: alpha`"
    ],
)


@pytest.mark.parametrize(("changes", "expected"), list(CASES.values()), ids=list(CASES))
def test_bad_input_is_reported_exactly(kb_copy, tmp_path, changes, expected):
    kb_dir = kb_copy(changes)
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert [str(issue) for issue in raised.value.issues] == sorted(expected)


def test_all_problems_are_reported_at_once(kb_copy, tmp_path):
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT.replace("principles:", "principels:"),
            "principles/beta.yaml": "id: beta\ntitle: [\n",
            "limitations/more-effort.yaml": None,
        }
    )
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    paths = {issue.path for issue in raised.value.issues}
    # The guide still refers to the deleted limitation: that is a problem too, reported now.
    assert paths == {B, "kb/principles/beta.yaml", "kb/guides/pick.yaml"}
    assert str(raised.value).endswith("errors in 3 files")


def test_invalid_entry_is_not_reported_again_as_dangling(kb_copy, tmp_path):
    kb_dir = kb_copy({"principles/alpha.yaml": "id: alpha\ntitle: Alpha\n"})
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert all(issue.path == P for issue in raised.value.issues)


LONE_CITATION = (
    "id: smith-2020\nrole: framework\nentry_type: misc\ntitle: T\n"
    "authors: [{family: Smith}]\nsummary: S.\n"
)

NEW_CASES = {
    "an ftp link and a relative link in markdown": (
        {
            "principles/beta.yaml": "id: beta\ntitle: Beta\nsummary: S.\ndescription: |\n"
            "  See [files](ftp://example.org/x) and [alpha](../alpha.md).\n"
            "defined_in: {citation: smith-2020, locator: p. 1}\n"
        },
        [
            "kb/principles/beta.yaml:5:15: expected a link to an https:// address, found "
            "`ftp://example.org/x`\n    hint: only https://, http:// and mailto: links are "
            "allowed; link to the page over https",
            "kb/principles/beta.yaml:5:48: expected a link to an https:// address, found "
            "`../alpha.md`\n    hint: link to other entries through fields such as `related`, "
            "and to web pages by their full https:// address",
        ],
    ),
    "a folder inside an entry folder": (
        {"limitations/drafts/x.yaml": "id: x\n"},
        [
            "kb/limitations/drafts: expected only .yaml entry files in limitations/, found the "
            "folder `drafts`\n    hint: entry folders hold no subfolders; move drafts/ out of kb/"
        ],
    ),
    "html in a plain-text field": (
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT.replace(
                "title: Faster things", "title: Faster <b>things</b>"
            )
        },
        [
            f"{B}:2:8: expected plain text without HTML, found `<b>things</b>`\n"
            "    hint: this field is shown exactly as written; write `less than` or put a space "
            "after `<`"
        ],
    ),
    "a long volume is told to shorten it, not to use a description": (
        {"citations/smith-2020.yaml": LONE_CITATION + "volume: " + "v" * 25 + "\n"},
        [
            f"{C}:7:9: expected at most 20 characters, found 25\n"
            "    hint: shorten it to at most 20 characters"
        ],
    ),
    "a date where a year is expected": (
        {"citations/smith-2020.yaml": LONE_CITATION + "year: 2020-05-01\n"},
        [
            f"{C}:7:7: expected a whole number, found the text '2020-05-01'\n"
            "    hint: this looks like a date; write only the number, e.g. 2020"
        ],
    ),
    "an explicit empty value for an optional field": (
        {"citations/smith-2020.yaml": LONE_CITATION + "year:\n"},
        [
            f"{C}:7:6: expected a whole number, found nothing (an empty value)\n"
            "    hint: write the value or remove the field"
        ],
    ),
    "an id the site uses for its own page": (
        {"citations/index.yaml": LONE_CITATION.replace("smith-2020", "index")},
        [
            "kb/citations/index.yaml: expected an id the site does not use for its own pages, "
            "found `index` (the site makes citations/index)\n"
            "    hint: choose a more specific id, e.g. `index-citation`"
        ],
    ),
    "an invisible character": (
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT.replace(
                "title: Faster things", 'title: "Faster\\u200Bthings"'
            )
        },
        [
            f"{B}:2:8: expected visible text, found U+200B ZERO WIDTH SPACE, an invisible "
            "formatting character, written as an escape\n"
            "    hint: invisible and direction-changing characters can hide text from reviewers; "
            "delete the escape"
        ],
    ),
    "too many aliases": (
        {
            "benefits/faster-things.yaml": GOOD_BENEFIT
            + "aliases: ["
            + ", ".join(f"t{i}" for i in range(40))
            + "]\n"
        },
        [
            f"{B}:15:10: expected at most 30 items, found 40\n"
            "    hint: keep the items that matter most, or split the entry"
        ],
    ),
    "nesting deeper than the limit": (
        {"benefits/faster-things.yaml": GOOD_BENEFIT + "tags: " + "[" * 12 + "]" * 12 + "\n"},
        [
            f"{B}:15:16: expected at most 10 levels of nested lists and mappings, found deeper "
            "nesting\n    hint: entries hold flat lists of values; remove the extra brackets"
        ],
    ),
}


@pytest.mark.parametrize(("changes", "expected"), list(NEW_CASES.values()), ids=list(NEW_CASES))
def test_limits_and_plain_text_are_reported_exactly(kb_copy, tmp_path, changes, expected):
    kb_dir = kb_copy(changes)
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert [str(issue) for issue in raised.value.issues] == sorted(expected)


def test_problems_are_listed_in_natural_order():
    from kbsite.errors import Issue, format_report

    issues = [
        Issue("refs.bib", 3, 0, f"x: authors.{n}: expected text, found nothing") for n in (13, 4, 1)
    ]
    report = format_report(issues).splitlines()
    assert [line.split(": ")[2] for line in report[:3]] == ["authors.1", "authors.4", "authors.13"]


# --- links the renderer would drop, wherever they are written ----------------------------------
# The check reads entry Markdown with the renderer's own parser (markdown-it-py), so a link in a
# block quote, a list item or a nested list, a reference definition and an autolink are found
# where they are written, with entities, escapes, case and spacing read as the renderer reads
# them. Each case is a description of principle `beta`; its first line is line 5, column 3.

CODE_HINT = "    hint: links may not run code; link to an https:// address"
SCHEME_HINT = (
    "    hint: only https://, http:// and mailto: links are allowed; link to the page over https"
)
RELATIVE_HINT = (
    "    hint: link to other entries through fields such as `related`, and to web pages by "
    "their full https:// address"
)


def _described(body: str) -> dict[str, str]:
    indented = "".join(f"  {line}\n" if line else "\n" for line in body.split("\n"))
    return {
        "principles/beta.yaml": "id: beta\ntitle: Beta\nsummary: S.\ndescription: |\n"
        + indented
        + "defined_in: {citation: smith-2020, locator: p. 1}\n"
    }


def _link_issue(line: int, column: int, what: str, found: str, hint: str) -> str:
    return (
        f"kb/principles/beta.yaml:{line}:{column}: expected {what} to an https:// address, "
        f"found {found}\n{hint}"
    )


LINK_CASES = {
    **{
        name: (markdown, expected)
        for name, (markdown, expected) in {
            "script link defined in a quote": (
                REFUSED_MARKDOWN["script link defined in a quote"],
                [_link_issue(7, 10, "a link definition", "`javascript:alert(1)`", CODE_HINT)],
            ),
            "script link defined in a nested list": (
                REFUSED_MARKDOWN["script link defined in a nested list"],
                [_link_issue(8, 12, "a link definition", "`javascript:alert(1)`", CODE_HINT)],
            ),
            "data link defined in an ordered list": (
                REFUSED_MARKDOWN["data link defined in an ordered list"],
                [_link_issue(7, 12, "a link definition", "`data:text/html,x`", CODE_HINT)],
            ),
            "vbscript link defined in a quoted list": (
                REFUSED_MARKDOWN["vbscript link defined in a quoted list"],
                [_link_issue(7, 12, "a link definition", "`vbscript:msgbox(1)`", CODE_HINT)],
            ),
        }.items()
    },
    "mixed case scheme and odd spacing in a quote": (
        ">   [X]:    JaVaScRiPt:alert(1)\n>\n> [x]",
        [_link_issue(5, 15, "a link definition", "`JaVaScRiPt:alert(1)`", CODE_HINT)],
    ),
    "definition whose address is on the next quoted line": (
        "> See [x].\n>\n> [x]:\n>   javascript:alert(1)",
        [_link_issue(8, 7, "a link definition", "`javascript:alert(1)`", CODE_HINT)],
    ),
    "entity in the scheme of an inline link": (
        "[x](java&#115;cript:alert(1))",
        [
            _link_issue(
                5,
                7,
                "a link",
                "`java&#115;cript:alert(1)` (read as `javascript:alert(1)`)",
                CODE_HINT,
            )
        ],
    ),
    "entity in a definition inside a list item": (
        "- item [x]\n\n  [x]: &#106;avascript:alert(1)",
        [
            _link_issue(
                7,
                10,
                "a link definition",
                "`&#106;avascript:alert(1)` (read as `javascript:alert(1)`)",
                CODE_HINT,
            )
        ],
    ),
    "tab before the address": (
        "[x](\tjavascript:alert(1)) and\n\n[y]:\tJAVASCRIPT:alert(2)",
        [
            _link_issue(5, 8, "a link", "`javascript:alert(1)`", CODE_HINT),
            _link_issue(7, 8, "a link definition", "`JAVASCRIPT:alert(2)`", CODE_HINT),
        ],
    ),
    "address in angle brackets": (
        "[x](<javascript:alert(1)>) and [y](<https://example.org/ok>)",
        [_link_issue(5, 8, "a link", "`javascript:alert(1)`", CODE_HINT)],
    ),
    "autolinks": (
        "<javascript:alert(1)> <data:text/html,x> <ftp://example.org/f> "
        "<https://example.org/ok> <kb@example.org>",
        [
            _link_issue(5, 4, "an autolink", "`javascript:alert(1)`", CODE_HINT),
            _link_issue(5, 26, "an autolink", "`data:text/html,x`", CODE_HINT),
            _link_issue(5, 45, "an autolink", "`ftp://example.org/f`", SCHEME_HINT),
        ],
    ),
    "relative link in a nested list": (
        "- a\n  - see [alpha](../alpha.md)",
        [_link_issue(6, 19, "a link", "`../alpha.md`", RELATIVE_HINT)],
    ),
}


@pytest.mark.parametrize(("markdown", "expected"), list(LINK_CASES.values()), ids=list(LINK_CASES))
def test_every_link_the_renderer_drops_is_reported_where_written(
    kb_copy, tmp_path, markdown, expected
):
    kb_dir = kb_copy(_described(markdown))
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, tmp_path)
    assert [str(issue) for issue in raised.value.issues] == expected  # in the order written
    # The renderer shows each of them as text: no link to anything but the allowed addresses.
    html = render_markdown(markdown)
    assert "javascript:" not in html.lower().replace("javascript:alert", "")
    assert all(
        href.startswith(("https://", "mailto:")) for href in re.findall(r'href="([^"]*)"', html)
    )


def test_allowed_links_in_quotes_lists_and_autolinks_pass(kb_copy, tmp_path):
    markdown = (
        "> [quoted][q]\n>\n> [q]: https://example.org/q\n\n"
        "- [nested][n]\n\n  [n]: <https://example.org/n>\n\n"
        "<https://example.org/auto> and <kb@example.org>"
    )
    check_kb(kb_copy(_described(markdown)), tmp_path)
    hrefs = re.findall(r'href="([^"]*)"', render_markdown(markdown))
    assert hrefs == [
        "https://example.org/q",
        "https://example.org/n",
        "https://example.org/auto",
        "mailto:kb@example.org",
    ]


def _permissive_hrefs(markdown: str) -> set[str]:
    """Every link markdown-it-py would make if it kept all of them (no sanitiser)."""
    from markdown_it import MarkdownIt

    from kbsite.markdown import _MARKDOWN_RULES

    parser = MarkdownIt("zero", {"html": False, "maxNesting": 20}).enable(list(_MARKDOWN_RULES))
    parser.validateLink = lambda url: True
    return set(re.findall(r'href="([^"]*)"', parser.render(markdown)))


@pytest.mark.parametrize(
    "markdown",
    [*MARKDOWN, *PLAIN, *REFUSED_MARKDOWN.values(), *(m for m, _ in LINK_CASES.values())],
)
def test_each_link_the_renderer_would_drop_is_found(markdown):
    """Over the hostile corpus and the cases above: every link that a renderer keeping all
    links would make, and that ours drops, is among the links the check finds and refuses."""
    from markdown_it.common.normalize_url import normalizeLink

    from kbsite.markdown import written_links

    refused = {normalizeLink(link.url) for link in written_links(markdown) if not link.allowed}
    kept = {normalizeLink(link.url) for link in written_links(markdown) if link.allowed}
    for href in _permissive_hrefs(markdown):
        url = html_module.unescape(href)
        if url.lower().startswith(("https://", "http://", "mailto:")):
            assert url in kept, (markdown, url)
        else:
            assert url in refused, (markdown, url)
