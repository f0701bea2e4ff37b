"""import-bibtex on the quirks of real libraries, each with a hand-written .bib fixture."""

from __future__ import annotations

import time

import pytest
import yaml

from kbsite.bibimport import import_bibtex, latex_to_text, to_yaml
from kbsite.model import KnowledgeBase

from conftest import CliResult, run_kbsite

EMPTY = KnowledgeBase()


def _import(bib: str | bytes, **options):
    return import_bibtex(bib, "lib.bib", EMPTY, role="related", **options)


def _one(bib: str | bytes, **options) -> dict:
    result = _import(bib, **options)
    assert result.issues == (), [str(i) for i in result.issues]
    [text] = result.files.values()
    return yaml.safe_load(text)


def test_field_names_are_case_insensitive():
    data = _one(
        "@Article{smith-2020,\n  Author = {Smith, John},\n  TITLE = {T},\n"
        "  Journal = {J},\n  Year = {2020}\n}\n"
    )
    assert data["authors"] == [{"family": "Smith", "given": "John"}]
    assert (data["title"], data["journal"], data["year"]) == ("T", "J", 2020)


def test_string_macros_and_concatenation_are_expanded():
    data = _one(
        '@string{ieee = "IEEE"}\n@String{tr = ieee # { Transactions on }}\n'
        "@article{a-2020,\n  author = {A, B},\n  title = {T},\n"
        '  journal = tr # "Software Engineering",\n  month = jan,\n  year = 2020\n}\n'
    )
    assert data["journal"] == "IEEE Transactions on Software Engineering"


def test_undefined_macros_are_reported_and_the_entry_refused():
    result = _import(
        "@article{a-2020,\n  author = {A, B},\n  title = {T},\n"
        "  journal = nosuchmacro,\n  year = 2020\n}\n"
        "@misc{b-2021,\n  author = {C, D},\n  title = {U}\n}\n"
    )
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:1: a-2020: expected a defined @string macro in `journal`, found `nosuchmacro`"
    ]
    assert list(result.files) == ["kb/citations/b-2021.yaml"]
    assert result.refused == 1


def test_corporate_and_multi_part_names_stay_whole_and_others_is_et_al():
    data = _one(
        "@misc{a-2020,\n  author = {{Research and Development Group} and R {La Joie}"
        " and van der Berg, Anna and others},\n  title = {T}\n}\n"
    )
    assert data["authors"] == [
        {"literal": "Research and Development Group"},
        {"family": "La Joie", "given": "R"},
        {"family": "van der Berg", "given": "Anna"},
    ]
    assert data["author_list"] == "truncated"


def test_urls_and_dois_are_copied_verbatim():
    data = _one(
        "@misc{a-2020,\n  author = {A, B},\n  title = {T},\n"
        "  url = {https://example.org/a%20b_c~d?x=1&y=2#frag},\n"
        "  doi = {https://doi.org/10.1000/ab_c%7E}\n}\n"
    )
    assert data["url"] == "https://example.org/a%20b_c~d?x=1&y=2#frag"
    assert data["doi"] == "10.1000/ab_c%7E"


def test_biblatex_fields_and_types_are_mapped():
    data = _one(
        "@online{a-2020,\n  author = {A, B},\n  title = {T},\n  date = {2020-05-04},\n"
        "  eprinttype = {arxiv},\n  eprint = {2001.01234v2},\n  eprintclass = {cs.SE}\n}\n"
    )
    assert data["entry_type"] == "misc"
    assert data["year"] == 2020
    assert data["arxiv"] == {"id": "2001.01234", "primary_class": "cs.SE"}
    article = _one(
        "@article{b-2020,\n  author = {A, B},\n  title = {T},\n"
        "  journaltitle = {Journal of Things},\n  date = {2020}\n}\n"
    )
    assert article["journal"] == "Journal of Things"


@pytest.mark.parametrize(
    ("bib_type", "entry_type", "extra"),
    [
        ("conference", "inproceedings", "booktitle = {Proc}, location = {Setúbal}"),
        ("inbook", "incollection", "booktitle = {Book}, publisher = {P}"),
        ("incollection", "incollection", "booktitle = {Book}, publisher = {P}"),
        ("manual", "techreport", "organization = {Org}"),
        ("techreport", "techreport", "institution = {Inst}"),
        ("phdthesis", "phdthesis", "school = {Uni}"),
        ("mastersthesis", "mastersthesis", "school = {Uni}"),
        ("online", "misc", "url = {https://example.org}"),
    ],
)
def test_entry_types_are_mapped(bib_type, entry_type, extra):
    data = _one(
        f"@{bib_type}{{a-2020,\n  author = {{A, B}},\n  title = {{T}},\n  {extra},\n"
        "  year = 2020\n}\n"
    )
    assert data["entry_type"] == entry_type
    if "location" in extra:
        assert data["address"] == "Setúbal"  # biblatex location, BibTeX address


def test_article_numbers_and_old_years_are_accepted():
    data = _one(
        "@article{darwin-1859,\n  author = {Darwin, Charles},\n  title = {T},\n"
        "  journal = {J},\n  pages = {e13477},\n  year = 1859\n}\n"
    )
    assert (data["pages"], data["year"]) == ("e13477", 1859)
    acm = _one(
        "@article{acm-2022,\n  author = {A, B},\n  title = {T},\n  journal = {CSUR},\n"
        "  pages = {114:1--114:29},\n  year = 2022\n}\n"
    )
    assert acm["pages"] == "114:1-114:29"


def test_windows_1252_bytes_are_refused_with_line_and_column_or_repaired():
    bib = (
        b"@misc{a-2020,\n  author = {A, B},\n  title = {Caf"
        + b"\xe9 \x93quoted\x94},\n}\n"
        + b"@misc{b-2021,\n  author = {C, D},\n  title = {Clean}\n}\n"
    )
    result = _import(bib)
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:3:15: expected UTF-8 text, found byte 0xE9, which is not UTF-8 "
        "(in Windows-1252 it is `é`)",
        "lib.bib:3:17: expected UTF-8 text, found byte 0x93, which is not UTF-8 "
        "(in Windows-1252 it is `“`)",
        "lib.bib:3:24: expected UTF-8 text, found byte 0x94, which is not UTF-8 "
        "(in Windows-1252 it is `”`)",
    ]
    assert list(result.files) == ["kb/citations/b-2021.yaml"]
    repaired = _import(bib, repair=True)
    assert repaired.issues == ()
    assert yaml.safe_load(repaired.files["kb/citations/a-2020.yaml"])["title"] == ("Café “quoted”")
    assert "lib.bib:3:17: byte 0x93, which is not UTF-8 repaired as Windows-1252 `“`" in (
        repaired.notes
    )


def test_c1_control_characters_are_refused_with_line_and_column():
    result = _import("@misc{a-2020,\n  author = {A, B},\n  title = {A \u0096 dash}\n}\n")
    assert str(result.issues[0]).splitlines()[0] == (
        "lib.bib:3:14: expected UTF-8 text, found the control character U+0096 "
        "(in Windows-1252 it is `–`)"
    )
    assert result.files == {}


def test_duplicate_keys_are_reported_with_both_lines():
    result = _import(
        "@misc{a-2020,\n  author = {A, B},\n  title = {T}\n}\n"
        "@misc{a-2020,\n  author = {C, D},\n  title = {U}\n}\n"
    )
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:1: expected each key once, found `a-2020` again on line 5",
        "lib.bib:5: expected each key once, found `a-2020` again on line 1",
    ]
    assert result.files == {}
    assert result.refused == 2


def test_keys_that_are_not_kebab_case_become_derived_ids():
    result = _import(
        "@misc{Smith2020a,\n  author = {Smith, J},\n  title = {T},\n year = 2020}\n"
        "@misc{smith:2020b,\n  author = {Smith, K},\n  title = {U},\n year = 2020}\n"
        "@misc{smith-2020,\n  author = {Smith, L},\n  title = {V},\n year = 2020}\n"
        '@misc{Müller_X,\n  author = {M{\\"u}ller, M},\n  title = {W}}\n'
    )
    assert result.issues == ()
    assert result.renamed == (
        ("Smith2020a", "smith-2020-b"),
        ("smith:2020b", "smith-2020-c"),
        ("Müller_X", "muller-nd"),
    )
    assert sorted(result.files) == sorted(
        f"kb/citations/{name}.yaml"
        for name in ("muller-nd", "smith-2020", "smith-2020-b", "smith-2020-c")
    )
    assert yaml.safe_load(result.files["kb/citations/muller-nd.yaml"])["authors"] == [
        {"family": "Müller", "given": "M"}
    ]


def test_bulk_import_lists_invalid_entries_and_keeps_the_valid_ones():
    result = _import(
        "@misc{good-2020,\n  author = {A, B},\n  title = {T}\n}\n"
        "@misc{no-title-2020,\n  author = {A, B}\n}\n"
        "@misc{http-2020,\n  author = {A, B},\n  title = {T},\n"
        "  url = {http://example.org}\n}\n"
        "@weird{odd-2020,\n  author = {A, B},\n  title = {T}\n}\n"
    )
    assert list(result.files) == ["kb/citations/good-2020.yaml"]
    assert result.refused == 3
    lines = [(i.line, i.message) for i in result.issues]
    assert lines[0][0] == 5
    assert "no-title-2020: title" in lines[0][1]
    assert lines[1][0] == 8
    assert "http-2020: url" in lines[1][1]
    assert lines[2] == (13, "odd-2020: expected a known entry type, found @weird")


def test_summary_is_optional_and_the_abstract_never_becomes_it():
    data = _one(
        "@article{a-2020,\n  author = {A, B},\n  title = {T},\n  journal = {J},\n"
        "  year = 2020,\n  abstract = {The paper's own words.}\n}\n"
    )
    assert "summary" not in data
    assert "The paper's own words." not in repr(data)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"M{\"u}ller", "Müller"),
        (r"\'Alvarez", "Álvarez"),
        (r"Ca\c{c}\~ao", "Cação"),
        (r"{\v S}koda", "Škoda"),
        (r"\emph{Deep} learning --- a \textbf{review}", "Deep learning — a review"),
        (r"50\% of R\&D", "50% of R&D"),
        (r"{\AA}ngstr{\"o}m", "Ångström"),
        (r"Stra{\ss}e \i", "Straße ı"),
    ],
)
def test_latex_is_decoded_to_unicode(latex, text):
    assert latex_to_text(latex) == text


def test_import_rate_is_recorded_not_asserted():
    """Speed is measured by scripts/bench_import.py; here only that 300 entries all import."""
    bib = "".join(
        f"@article{{k{i},\n  author = {{Family{i}, Given and Other, A}},\n"
        f"  title = {{Title {i}}},\n  journal = {{J}},\n  year = {{2020}},\n"
        f"  pages = {{1--10}}\n}}\n"
        for i in range(300)
    )
    start = time.perf_counter()
    result = _import(bib)
    assert time.perf_counter() - start >= 0
    assert len(result.files) == 300
    assert result.issues == ()


@pytest.mark.parametrize(
    "value",
    [
        "plain text",
        "yes",
        "No",
        "null",
        "1.0",
        "010",
        "a: b",
        "a #b",
        "- x",
        "[x]",
        "{x}",
        "*alias",
        "&anchor",
        "!tag",
        "%x",
        "@x",
        "`x",
        "'x'",
        '"x"',
        "x\\y",
        "é ü",
        "\u2028",
        "trailing:",
        "ends with space ",
        " leading",
        "",
        "0x1F",
        "1e3",
        "~",
        "a\tb",
        "line\nbreak",
        "Steele, Jr.",
        "Adobe Systems, Inc.",
    ],
)
def test_written_yaml_reads_back_the_same(value):
    data = {
        "id": "a-2020",
        "title": value,
        "authors": [{"family": value, "given": value}],
        "arxiv": {"id": value},
        "keywords": [value, "k"],
        "year": 1999,
    }
    assert yaml.safe_load(to_yaml(data)) == data


def test_cli_dry_run_writes_nothing_and_a_missing_summary_is_a_validate_warning(kb_copy, tmp_path):
    def kbsite(*args: str) -> CliResult:
        return run_kbsite(*args, "--kb", "kb", cwd=tmp_path)

    kb_dir = kb_copy()
    (tmp_path / "lib.bib").write_bytes(
        b"@misc{Lee2020,\n  author = {Lee, K},\n  title = {Caf\xe9}\n}\n"
    )
    before = sorted(p.name for p in (kb_dir / "citations").iterdir())
    dry = kbsite("import-bibtex", "lib.bib", "--dry-run")
    assert dry.returncode == 1  # the Windows-1252 byte is refused...
    assert "lib.bib:3:15: expected UTF-8 text, found byte 0xE9" in dry.stderr
    repaired = kbsite("import-bibtex", "lib.bib", "--dry-run", "--repair")
    assert repaired.returncode == 0, repaired.stderr  # ...or repaired, and said so
    assert "renamed: Lee2020 -> lee-nd (keys must be kebab-case)" in repaired.stdout
    assert "kb/citations/lee-nd.yaml: would be written" in repaired.stdout
    assert "1 would be imported, 0 refused" in repaired.stdout
    assert sorted(p.name for p in (kb_dir / "citations").iterdir()) == before
    done = kbsite("import-bibtex", "lib.bib", "--repair")
    assert done.returncode == 0, done.stderr
    assert "title: Café" in (kb_dir / "citations" / "lee-nd.yaml").read_text(encoding="utf-8")
    (kb_dir / "citations" / "lee-nd.yaml").unlink()  # not cited yet: validate would refuse it
    cited = kb_dir / "citations" / "doe-2021.yaml"
    cited.write_text(
        cited.read_text(encoding="utf-8").replace("summary: A survey of test practice.\n", ""),
        encoding="utf-8",
    )
    validate = kbsite("validate")
    assert validate.returncode == 0, validate.stderr
    assert "warning: kb/citations/doe-2021.yaml:1: summary to be written" in validate.stdout


# Quirks found by importing real libraries (TUGboat's and the TeX-books bibliographies that
# TeX Live ships, 6,600 entries; see scripts/bench_import.py), each as a hand-written fixture.


def test_derived_ids_go_on_past_z_with_two_letters():
    bib = "".join(
        f"@misc{{Anonymous:TB{i},\n  author = {{Anonymous}},\n  title = {{Note {i}}},\n"
        "  year = 1984\n}\n"
        for i in range(28)
    )
    result = _import(bib)
    assert result.issues == ()
    ids = [new_id for _, new_id in result.renamed]
    assert ids[:3] == ["anonymous-1984", "anonymous-1984-b", "anonymous-1984-c"]
    assert ids[25:] == ["anonymous-1984-z", "anonymous-1984-aa", "anonymous-1984-ab"]


def test_lines_are_counted_right_after_a_line_ending_in_a_backslash_pair():
    # bibtexparser's own count loses a line at each `\\` that ends a line.
    result = _import(
        "@misc{a-2020,\n  author = {A, B},\n  title = {T},\n"
        "  note = {Contents: \\\\\n    Chapter 1 \\\\\n    Chapter 2}\n}\n\n"
        "@misc{b-2021,\n  author = {C, D}\n}\n"
    )
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:9: b-2021: title: expected non-blank text, found blank text"
    ]


def test_a_field_given_twice_refuses_the_entry_only_when_it_is_kept():
    result = _import(
        "@misc{a-2020,\n  author = {A, B},\n  title = {T},\n  Title = {U}\n}\n"
        "@misc{b-2020,\n  author = {A, B},\n  title = {T},\n  title = {U}\n}\n"
        "@misc{c-2020,\n  author = {A, B},\n  title = {T},\n"
        "  bibsource = {x},\n  bibsource = {y}\n}\n"
    )
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:1: a-2020: expected `title` once, found it twice "
        "(field names are case-insensitive)",
        "lib.bib:6: b-2020: expected `title` once, found it twice",
    ]
    assert list(result.files) == ["kb/citations/c-2020.yaml"]
    assert result.refused == 2


def test_a_string_macro_defined_again_applies_from_there_on():
    # What `\bibliography{part1,part2}` does when both parts define the same macro.
    result = _import(
        '@string{pub = "First Press"}\n'
        "@book{a-2020,\n  author = {A, B},\n  title = {T},\n  publisher = pub,\n"
        "  year = 2020\n}\n"
        '@string{pub = "Second Press"}\n'
        "@book{b-2021,\n  author = {A, B},\n  title = {U},\n  publisher = pub,\n"
        "  year = 2021\n}\n"
        '@string{pub = "Second Press"}\n'
    )
    assert result.issues == ()
    assert result.refused == 0
    publishers = [yaml.safe_load(t)["publisher"] for t in result.files.values()]
    assert publishers == ["First Press", "Second Press"]
    assert [n for n in result.notes if "@string" in n] == [
        "lib.bib:8: @string `pub` is defined again (first on line 1); the entries after it "
        "use the new value"
    ]


def test_a_string_macro_used_before_it_is_defined_is_undefined():
    result = _import(
        "@article{a-2020,\n  author = {A, B},\n  title = {T},\n  journal = jse,\n"
        "  year = 2020\n}\n"
        '@string{jse = "J. Softw. Eng."}\n'
    )
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:1: a-2020: expected a defined @string macro in `journal`, found `jse`"
    ]


def test_an_undefined_macro_in_a_field_that_is_not_kept_does_not_refuse_the_entry():
    data = _one(
        "@misc{a-2020,\n  author = {A, B},\n  title = {T},\n"
        '  acknowledgement = ack-xy # " and " # ack-nhfb\n}\n'
    )
    assert data["title"] == "T"


def test_crossref_fields_come_from_the_parent_volume():
    result = _import(
        "@inproceedings{paper-1989,\n  author = {Knuth, Donald E.},\n"
        "  title = {The Errors of TeX},\n  crossref = {Proc:1989},\n  pages = {1--10}\n}\n"
        "@proceedings{Proc:1989,\n  editor = {Clark, Malcolm},\n"
        "  title = {{\\TeX} 88 Conference Proceedings},\n  publisher = {Ellis Horwood},\n"
        "  address = {Chichester},\n  year = 1989,\n  doi = {10.1000/volume}\n}\n"
    )
    assert result.issues == ()
    paper = yaml.safe_load(result.files["kb/citations/paper-1989.yaml"])
    assert paper["booktitle"] == "TeX 88 Conference Proceedings"
    assert (paper["publisher"], paper["address"], paper["year"]) == (
        "Ellis Horwood",
        "Chichester",
        1989,
    )
    assert paper["authors"] == [{"family": "Knuth", "given": "Donald E."}]
    assert "doi" not in paper  # the volume's DOI is not the paper's
    assert "paper-1989: from crossref `Proc:1989`: address, booktitle, publisher, year" in (
        result.notes
    )
    volume = yaml.safe_load(result.files["kb/citations/clark-1989.yaml"])
    assert (volume["entry_type"], volume["authors"]) == (
        "book",
        [{"family": "Clark", "given": "Malcolm"}],
    )


def test_a_crossref_to_an_entry_not_in_the_file_is_noted():
    result = _import(
        "@inproceedings{p-1990,\n  author = {A, B},\n  title = {T},\n"
        "  booktitle = {Proc.},\n  year = 1990,\n  crossref = {elsewhere}\n}\n"
    )
    assert "p-1990: crossref `elsewhere` is not in the file: nothing inherited" in result.notes


def test_unknown_values_page_counts_and_lists_of_identifiers():
    result = _import(
        "@book{b-1985,\n  author = {Abelson, Harold},\n  title = {T},\n"
        "  publisher = {MIT Press},\n  year = 1985,\n  volume = {??},\n"
        "  pages = {xx + 542},\n"
        "  isbn = {0-262-01077-1 (MIT Press), 0-07-000422-6 (McGraw-Hill)},\n"
        "  issn = {0896-3207 (print), 2168-121X (electronic)},\n"
        "  url = {http://example.org/a; https://example.org/b}\n}\n"
        "@book{c-1990,\n  author = {C, D},\n  title = {U},\n  publisher = {P},\n"
        "  year = 1990,\n  pages = {312 (est.)}\n}\n"
        "@article{d-1990,\n  author = {E, F},\n  title = {V},\n  journal = {J},\n"
        "  year = 1990,\n  pages = {Cover 3}\n}\n"
    )
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:19: d-1990: pages: expected a page or page range such as 305-312, or an "
        "article number, found 'Cover 3'"
    ]
    book = yaml.safe_load(result.files["kb/citations/b-1985.yaml"])
    assert (book["isbn"], book["issn"], book["url"]) == (
        "0-262-01077-1",
        "0896-3207",
        "https://example.org/b",
    )
    assert "volume" not in book
    assert "pages" not in book
    assert [
        n for n in result.notes if n.startswith(("b-1985", "c-1990")) and "summary" not in n
    ] == [
        "b-1985: marked unknown (`??`), not kept: volume",
        "b-1985: isbn: kept `0-262-01077-1` of "
        "`0-262-01077-1 (MIT Press), 0-07-000422-6 (McGraw-Hill)`",
        "b-1985: issn: kept `0896-3207` of `0896-3207 (print), 2168-121X (electronic)`",
        "b-1985: url: kept `https://example.org/b` of "
        "`http://example.org/a; https://example.org/b`",
        "b-1985: pages `xx + 542` is the length of the work, not kept",
        "c-1990: pages `312 (est.)` is the length of the work, not kept",
    ]


def test_a_work_without_author_or_editor_has_its_organisation_as_group_author():
    result = _import(
        "@manual{ps-1985,\n  title = {PostScript Language Reference Manual},\n"
        "  organization = {{Adobe Systems Incorporated}},\n  year = 1985\n}\n"
        "@misc{none-1985,\n  title = {Nobody's}\n}\n"
    )
    manual = yaml.safe_load(result.files["kb/citations/ps-1985.yaml"])
    assert manual["authors"] == [{"literal": "Adobe Systems Incorporated"}]
    assert manual["institution"] == "Adobe Systems Incorporated"
    assert "ps-1985: no author or editor: `organization` is the author" in result.notes
    assert [str(i).splitlines()[0] for i in result.issues] == [
        "lib.bib:6: none-1985: authors: expected at least 1 item, found 0"
    ]


def test_an_unknown_entry_type_names_the_types_that_are_read():
    result = _import("@periodical{texline,\n  title = {TeXline},\n  year = 1990\n}\n")
    [issue] = result.issues
    assert (issue.message, issue.hint) == (
        "texline: expected a known entry type, found @periodical",
        "use @article, @inproceedings, @incollection, @book, @mastersthesis, @phdthesis, "
        "@techreport, @misc, or a biblatex type that stands for one; @misc for other works",
    )


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\LaTeX}\emdash{}Guida", "LaTeX—Guida"),
        (r"Er\-weit\-er\-ung", "Erweiterung"),
        (r"{\it The Advanced \TeX book}", "The Advanced TeXbook"),
        (r"\LaTeX\slash\TeX\ user", "LaTeX/TeX user"),
        (r"Using \acro{EPS} in \LaTeXe", "Using EPS in LaTeX2e"),
        (r"{\noopsort{b}}Zed", "Zed"),
        (r"Tolen{\.a} \d{a}", "Tolenȧ ạ"),
        (r"Contents \\ Index", "Contents Index"),
    ],
)
def test_tex_library_macros_are_decoded(latex, text):
    assert latex_to_text(latex) == text
