"""The HTML edition in the real judges: headless Chromium's accessibility tree, Nu HTML Checker, axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivekit.model.locale import message
from conftest import EDITION_ID, build_canonical, require

PAGE = f"{EDITION_ID}.html"


@pytest.fixture(scope="module")
def html_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_canonical(tmp_path_factory.mktemp("html-browser"), "html")


def open_page(browser, path: Path, width: int = 1280, scheme: str = "light"):
    """Open a local file; every request that is not this page itself is recorded and refused."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    requests: list[str] = []
    own = path.resolve().as_uri()

    def guard(route) -> None:
        url = route.request.url
        if url.split("#")[0] == own:
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    page.route("**/*", guard)
    page.goto(own, wait_until="load")
    return context, page, requests


def test_aria_tree_outline_list_note_and_language(browser, html_build: Path) -> None:
    context, page, requests = open_page(browser, html_build / PAGE)
    try:
        snap = page.locator("main").aria_snapshot()
        # The editorial part title carries its square brackets into the tree: announced as editorial.
        for line in (
            'heading "[公开信]" [level=2]',
            'heading "宗 旨" [level=2]',
            'heading "Principle Statement" [level=2]',
        ):
            assert line in snap, snap
        letter = page.locator("#letter").aria_snapshot()
        # The requested steps: one list of three items.
        steps = page.locator("#letter > ul").aria_snapshot()
        assert steps.startswith("- list:") and steps.count("- listitem:") == 3, steps
        # The notes: a named region holding the note list.
        # (its name is the edition's own word, in its editorial language: zh-Hans for this one)
        assert f'- region "{message("zh-Hans", "notes")}":' in letter, letter
        # The note reference is a link to the note; the note itself is in the tree with its text.
        assert '- link "1"' in letter and '/url: "#note-1"' in letter, letter
        note = page.locator("#note-1").aria_snapshot()
        assert "《监督与人权:促进和保护言论自由权利特别报告员的报告》" in note, note
        assert page.get_by_role("banner").count() == 1
        assert page.get_by_role("main").count() == 1
        assert page.get_by_role("contentinfo").count() == 1
        assert page.get_by_role("navigation").count() == 1
        assert page.get_by_role("heading", level=1).count() == 1
        # The language the browser resolved for the English part (what it gives assistive technology).
        assert page.evaluate("document.querySelector('#principles-en p').matches(':lang(en)')")
        assert page.evaluate("document.querySelector('#principles-zh p').matches(':lang(zh-Hans)')")
        # Following the note reference lands on the note.
        page.locator("a[role=doc-noteref]").click()
        assert page.evaluate("location.hash") == "#note-1"
        assert requests == []
    finally:
        context.close()


@pytest.mark.parametrize(
    ("width", "scheme"), [(320, "light"), (320, "dark"), (1280, "light"), (1280, "dark")]
)
def test_no_network_no_overflow(browser, html_build: Path, width: int, scheme: str) -> None:
    for name in (PAGE, "index.html"):
        context, page, requests = open_page(browser, html_build / name, width, scheme)
        try:
            assert requests == [], f"{name} requested {requests}"
            # Responsive to 320 px: nothing scrolls sideways.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} at {width}px overflows by {overflow}px"
        finally:
            context.close()


def test_parallel_columns_align_on_wide_screens_and_stack_on_narrow(browser, html_build: Path) -> None:
    pairs = [("principles-zh-3", "principles-en-3"), ("principles-zh-7", "principles-en-7")]
    for width, side_by_side in ((1280, True), (320, False)):
        context, page, _ = open_page(browser, html_build / PAGE, width)
        try:
            for zh, en in pairs:
                a = page.locator(f"#{zh}").bounding_box()
                b = page.locator(f"#{en}").bounding_box()
                assert a and b
                if side_by_side:
                    assert abs(a["y"] - b["y"]) < 2 and b["x"] > a["x"] + a["width"], (width, zh, a, b)
                else:
                    assert b["y"] > a["y"] + a["height"], (width, zh, a, b)
        finally:
            context.close()


def test_cjk_typography_and_print_styles(browser, html_build: Path) -> None:
    context, page, _ = open_page(browser, html_build / PAGE)
    try:
        style = page.evaluate(
            """() => { const s = getComputedStyle(document.querySelector('#letter-3'));
                 return [s.lineBreak, s.hyphens, parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; }"""
        )
        assert style[0] == "strict" and style[1] == "manual" and style[2] >= 1.7, style
        en = page.evaluate("getComputedStyle(document.querySelector('#principles-en-3')).hyphens")
        assert en == "manual", "automatic hyphenation would alter copied English text"
        page.emulate_media(media="print")
        hidden = page.evaluate(
            "[...document.querySelectorAll('.counterpart, nav, .skip-link')]"
            ".every(e => getComputedStyle(e).display === 'none')"
        )
        assert hidden, "navigation controls must not print"
    finally:
        context.close()


def _targets(build: Path) -> list:
    from archivekit.validate.base import Target

    return [Target(name, build / name, ("HTML", "WCAG 2.2 AA")) for name in (PAGE, "index.html")]


@pytest.mark.validators
def test_nu_html_checker_no_errors_no_warnings(html_build: Path, tmp_path: Path) -> None:
    from archivekit.validate import tools, vnu
    from archivekit.validate.base import ERROR, WARNING

    tool = tools.vnu()
    require(tool.available, f"Nu HTML Checker: {tool.missing} (run tools/validators/install.sh)")
    outcome = vnu.run(tool, _targets(html_build), html_build, tmp_path)
    bad = [f for f in outcome.findings if f.severity in (ERROR, WARNING)]
    assert bad == [], "\n".join(f"{f.artifact} {f.location} {f.message}" for f in bad)


@pytest.mark.validators
def test_axe_wcag_aa_at_320_and_1280_light_and_dark(html_build: Path, tmp_path: Path) -> None:
    from archivekit.validate import axe, tools

    tool = tools.axe()
    require(tool.available, f"axe-core: {tool.missing} (run tools/validators/install.sh)")
    outcome = axe.run(tool, _targets(html_build), html_build, tmp_path)
    assert outcome.findings == [], "\n".join(
        f"{f.artifact} {f.code} {f.location} {f.message}" for f in outcome.findings
    )
    raw = (tmp_path / f"axe-{PAGE}.json").read_text(encoding="utf-8")
    for view in ('"width": 320', '"width": 1280', '"scheme": "dark"', '"scheme": "light"'):
        assert view in raw
