"""The report opened in a real headless Chromium (Debian's, driven by playwright):
it renders, its charts are there, its headline numbers are the database's, the
console is clean, and no request leaves the page."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from assistant.domain.models import Intent, utcnow
from assistant.insights.report import write_report

from .conftest import History, add, draft, triage
from .test_report import EVIL, add_spike, db_headline

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is not installed (pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: install Debian's package (apt-get install -y chromium) to run this test")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path):  # type: ignore[no-untyped-def]
    """The page, what it asked for, and what its console said."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))

    def route(r) -> None:  # type: ignore[no-untyped-def]
        requests.append(r.request.url)
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, problems


def _not_blank(png: bytes) -> bool:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000) or []
    return image.width >= 1000 and image.height > 2000 and len(colours) > 50


def test_the_report_in_a_headless_browser(history: History, store, policy, tmp_path, browser):
    # Public text that would run if it were not escaped, in a post, an author and a spike.
    add(store, "evil", EVIL, utcnow() - timedelta(hours=1), author=EVIL, t=triage(Intent.COMPLAINT),
        d=draft("We're sorry."))
    add_spike(store, (utcnow() - timedelta(hours=3)).isoformat(), EVIL + " mould in the beans", posts=42)
    out = tmp_path / "report.html"
    since = history.now - timedelta(days=30)
    write_report(store, since, out, policy=policy)

    page, requests, problems = _open(browser, out)
    shot = page.screenshot(full_page=True)
    (tmp_path / "report.png").write_bytes(shot)
    assert _not_blank(shot)

    # Six charts, each drawn with a real size and bars in it.
    assert page.locator("section.chart svg").count() == 6
    for i in range(6):
        svg = page.locator("section.chart svg").nth(i)
        box = svg.bounding_box()
        assert box is not None and box["width"] > 500 and box["height"] > 100
        # bars: filled paths (axes, grid lines and ticks are unfilled; the background is white)
        assert svg.locator('path[style*="fill: #"]:not([style*="fill: #ffffff"])').count() >= 1

    expected = db_headline(store, since.isoformat())
    shown = {key: page.locator(f'[data-key="{key}"] .value').inner_text() for key in expected}
    assert shown == {k: str(v) for k, v in expected.items()} == {"mentions": "8", "answered": "3", "rejected": "1"}

    # The spike is listed, its text shown as text: nothing it contains became an element.
    assert page.locator("#spikes tbody tr").count() == 1
    assert EVIL in page.locator("#spikes").inner_text()
    assert page.locator("img, script").count() == 0

    assert problems == []
    assert requests and all(u.startswith(("file://", "data:")) for u in requests), requests
    page.close()
