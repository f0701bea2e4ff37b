from kbsite.limits import MAX_PROBLEMS_PER_FILE
from kbsite.yamlio import Position, parse_document


def test_values_and_positions_are_recorded():
    document = parse_document("id: x\nlist:\n  - a\n  - {k: 1}\ntext: |\n  line one\n")
    assert document.data == {"id": "x", "list": ["a", {"k": 1}], "text": "line one\n"}
    assert document.position(("list", 1, "k")) == Position(4, 9)
    assert document.position(("list", 1, "k"), key=True) == Position(4, 6)
    assert document.position(("text",)) == Position(6, 3)  # first line of the block scalar
    assert document.problems == []


def test_position_falls_back_to_nearest_ancestor():
    document = parse_document("outer:\n  inner: 1\n")
    assert document.position(("outer", "missing")) == Position(2, 3)


def test_dates_stay_text_and_yaml_booleans_are_booleans():
    document = parse_document("when: 2024-03-19\nflag: no\n")
    assert document.data == {"when": "2024-03-19", "flag": False}


def test_billion_laughs_is_not_expanded():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(20)
    ]
    document = parse_document("\n".join(lines) + "\n")
    *aliases, last = document.problems
    assert len(aliases) == MAX_PROBLEMS_PER_FILE
    assert all("alias" in problem.message for problem in aliases)
    assert last.message == f"stopped reading after {MAX_PROBLEMS_PER_FILE} problems"


def test_empty_document_has_no_data_and_no_problem():
    document = parse_document("# only a comment\n")
    assert document.data is None
    assert document.problems == []
