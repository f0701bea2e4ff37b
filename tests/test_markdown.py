import pytest

from kbsite.markdown import md_block, md_inline, md_url, yaml_string


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("a | b", "a \\| b"),
        ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("{: .class}", "\\{: .class\\}"),
        ("R&D", "R&amp;D"),
        ("two\nlines", "two lines"),
    ],
)
def test_inline_text_loses_every_markdown_and_html_meaning(text, expected):
    assert md_inline(text) == expected


def test_block_markdown_keeps_markdown_but_not_html():
    assert md_block("*keep* <b>no</b> & more\n") == "*keep* &lt;b>no&lt;/b> &amp; more"


def test_urls_cannot_close_a_markdown_link():
    assert md_url("https://example.org/a b)c") == "https://example.org/a%20b%29c"


def test_front_matter_strings_are_quoted():
    assert yaml_string('say "hi"\n--- x') == '"say \\"hi\\" --- x"'
