"""Markdown is rendered, then sanitised: nothing executable survives."""

from __future__ import annotations

from bs4 import BeautifulSoup

from core.markdown import render_markdown


def test_markdown_formatting_survives() -> None:
    html = BeautifulSoup(
        str(
            render_markdown(
                "## Scope\n\n**Bold**, *it*, [NIST](https://www.nist.gov)\n\n- one\n- two"
            )
        ),
        "html.parser",
    )

    assert html.find("h2").get_text() == "Scope"
    assert html.find("strong").get_text() == "Bold"
    link = html.find("a")
    assert link["href"] == "https://www.nist.gov" and "noopener" in link["rel"]
    assert [li.get_text() for li in html.find_all("li")] == ["one", "two"]


def test_scripts_handlers_and_javascript_links_come_out_inert() -> None:
    source = (
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) "
        '<a href="javascript:alert(2)">raw</a> <iframe src="https://evil.example"></iframe>'
    )

    html = BeautifulSoup(str(render_markdown(source)), "html.parser")

    assert html.find(["script", "img", "iframe"]) is None
    assert all(not a.get("href", "").startswith("javascript") for a in html.find_all("a"))
    assert not any(attr.startswith("on") for tag in html.find_all(True) for attr in tag.attrs)
