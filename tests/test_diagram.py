import xml.etree.ElementTree as ET

from kbsite import build_site
from kbsite.diagram import relationship_svg, svg_text
from kbsite.graph import build_graph

from conftest import FIXTURE_KB, REPO, real_site

SVG = "{http://www.w3.org/2000/svg}"


def test_map_draws_one_line_per_link_and_parses_as_xml():
    site = real_site()
    kb = site.graph.kb
    root = ET.fromstring(site.assets["evidence/map.svg"])
    lines = root.findall(f"{SVG}line")
    expected = sum(len(f.citation_ids) + len(f.principles) for f in kb.findings)
    assert len(lines) == expected
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert "P4 Versioning" in labels
    assert root.find(f"{SVG}title").text == "Relationship map of the knowledge base"


def test_inferred_links_are_dashed_and_stated_ones_solid():
    graph = build_graph(build_site(FIXTURE_KB, REPO).graph.kb)
    root = ET.fromstring(relationship_svg(graph))
    principle_lines = [
        line for line in root.findall(f"{SVG}line") if line.get("stroke") == "#5c6bc0"
    ]
    assert [line.get("stroke-dasharray") for line in principle_lines] == [None]


def test_hostile_titles_are_escaped_in_the_svg(kb_copy, tmp_path):
    # Markup in a title is refused by validation; what passes must still be escaped.
    text = (FIXTURE_KB / "benefits" / "faster-things.yaml").read_text(encoding="utf-8")
    kb_dir = kb_copy(
        {
            "benefits/faster-things.yaml": text.replace(
                "title: Faster things", "title: 'a < b && \"c\" > d ]]> &amp;'"
            )
        }
    )
    svg = build_site(kb_dir, tmp_path).assets["evidence/map.svg"]
    assert "a < b" not in svg
    texts = [el.text for el in ET.fromstring(svg).iter() if el.text and el.text.startswith("a")]
    assert texts == ['a < b && "c" > d ]]> &amp;']


def test_entry_text_becomes_inert_character_data():
    hostile = 'a < b && "c" ]]> </text><script>x</script> \x01\x0b{: onclick="x" }'
    root = ET.fromstring(f'<text xmlns="http://www.w3.org/2000/svg">{svg_text(hostile)}</text>')
    assert len(root) == 0
    assert root.text == " ".join(hostile.split()).replace("\x01", "\ufffd")
