"""The dashboard in a real browser: start it, drive it with Playwright in headless Chromium.

Chromium comes from the Debian packages (`make browser-deps`, called by `make test`); Playwright
only drives it and never downloads a browser. The test checks that every slider shows its value
and that Mesa's framework controls (Use Threads, Render Interval, the Page 0 tab) are not on the
page, changes a control (care staff 6 -> 4), resets, steps the model to hour 4, checks that the
charts and numbers changed and that the new staff answered the complaints, plays and pauses, and
saves a screenshot to results/dashboard/screenshot.png.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SCREENSHOT = ROOT / "results" / "dashboard" / "screenshot.png"
CHARTS = ("sc-network", "sc-reach", "sc-mentions", "sc-sentiment", "sc-queue-cost")
# every slider of the sidebar and the value it shows at the dashboard's defaults
SLIDER_VALUES = {"Pause between steps": "150 ms", "Care staff": "6 people", "Response target": "20 min",
                 "Seed": "1", "Step length": "30 min"}


# true once the sidebar's "Step: N" shows N >= arg
STEPS_AT_LEAST = """n => [...document.querySelectorAll('span, div')].some(e => {
    const m = /^Step: (\\d+)$/.exec(e.textContent.trim()); return m && Number(m[1]) >= n; })"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """The dashboard served by `solara run` on a free local port; its URL."""
    try:
        import playwright  # noqa: F401
        import solara  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"{exc}: install the dashboard extra (make test does): pip install -e '.[test,dashboard]'")
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "solara.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", "sim/viz/app.py", "--host", "127.0.0.1", "--port", str(port),
         "--production", "--no-open"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the dashboard server exited:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                pytest.fail(f"the dashboard did not answer within 120 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def slider_row(page, label: str):
    """The row of the slider named `label`: its label, the slider and the value next to it."""
    return page.locator(".sc-slider").filter(has=page.get_by_role("slider", name=label, exact=True))


def check_sidebar(page) -> None:
    """Each slider shows its value; Mesa's framework controls are not on the page."""
    sliders = page.get_by_role("slider")
    assert sliders.count() == len(SLIDER_VALUES), page.locator(".v-navigation-drawer").inner_text()
    for label, shown in SLIDER_VALUES.items():
        row = slider_row(page, label)
        assert row.count() == 1 and row.is_visible(), label
        value = row.locator(".sc-slider-value")
        assert value.is_visible() and value.inner_text().strip() == shown, label
    assert page.get_by_text("Step length").first.is_visible()  # the locators below do find text
    for hidden in ("Use Threads", "Render Interval", "Page 0", "Play Interval"):
        assert page.get_by_text(re.compile(hidden, re.IGNORECASE)).count() == 0, hidden
    assert page.get_by_role("checkbox").count() == 0
    assert page.get_by_role("tab").count() == 0


def answered(summary: str) -> tuple[int, int]:
    """Complaints answered so far in the main run and in the comparison, from the summary table."""
    m = re.search(r"complaints answered\s+(\d+) of \d+\s+(\d+) of \d+", summary)
    assert m, summary
    return int(m.group(1)), int(m.group(2))


@pytest.mark.timeout(420)
def test_dashboard_runs_in_chromium(dashboard, tmp_path):
    assert Path(CHROMIUM).exists(), (
        f"no Chromium at {CHROMIUM}: run `make browser-deps` (apt-get install chromium) or set CHROMIUM=")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1600, "height": 1250})
        try:
            page = browser.new_page()
            page.set_default_timeout(90_000)
            page.goto(dashboard)
            step = page.get_by_role("button", name="Step")
            step.wait_for()
            for css in CHARTS:
                page.locator(f".{css} img").wait_for()
            summary = page.locator(".sc-summary")
            expect(summary).to_contain_text("6 staff")
            check_sidebar(page)
            before = {css: page.locator(f".{css} img").screenshot() for css in CHARTS}

            staff = page.get_by_role("slider", name="Care staff")  # change a control: 6 -> 4 staff
            staff.focus()
            for _ in range(2):
                staff.press("ArrowLeft")
            expect(staff).to_have_attribute("aria-valuenow", "4")
            expect(slider_row(page, "Care staff").locator(".sc-slider-value")).to_have_text(
                "4 people")  # the value shown follows the slider
            page.get_by_role("button", name="Reset").click()
            expect(summary).to_contain_text("4 staff")

            for k in range(1, 9):  # 8 steps of 30 simulated minutes: to hour 4
                step.click()
                expect(page.get_by_text(f"Step: {k}", exact=True)).to_be_visible()
            expect(summary).to_contain_text("hour 4.0")
            after = {css: page.locator(f".{css} img").screenshot() for css in CHARTS}
            changed = [css for css in CHARTS if after[css] != before[css]]
            assert changed == list(CHARTS), f"charts that did not change: {set(CHARTS) - set(changed)}"
            text = summary.inner_text()
            reach = re.search(r"people who saw negative posts\s+([\d,]+)", text)
            assert reach and int(reach.group(1).replace(",", "")) > 0, text
            main, comparison = answered(text)
            assert main >= 1 and comparison == 0, text  # 4 staff answered; `ignore` did not

            page.get_by_role("button", name="▶").click()  # play to step 10 or beyond, then pause
            page.wait_for_function(STEPS_AT_LEAST, arg=10)  # a redraw may skip "Step: 10" itself
            page.get_by_role("button", name="❚❚").click()
            expect(step).to_be_enabled()
            shown = page.get_by_text(re.compile(r"^Step: \d+$"))
            paused_at = shown.inner_text()
            for _ in range(10):  # a step under way when ❚❚ was pressed may still be drawn
                page.wait_for_timeout(1500)
                if shown.inner_text() == paused_at:
                    break
                paused_at = shown.inner_text()
            page.wait_for_timeout(3000)
            assert page.get_by_text(re.compile(r"^Step: \d+$")).inner_text() == paused_at
            assert int(paused_at.split()[-1]) >= 10

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            partial = SCREENSHOT.with_name(".screenshot.partial.png")
            page.set_viewport_size({"width": 1600, "height": 1850})  # the whole dashboard at once
            page.evaluate("document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(partial), full_page=True)
            os.replace(partial, SCREENSHOT)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 50_000
