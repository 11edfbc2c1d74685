"""The dashboard in a real browser: start it, drive it with Playwright in headless Chromium.

Chromium comes from the Debian packages (`make browser-deps`, called by `make test`); Playwright
only drives it and never downloads a browser. The test changes a control (care staff 2 -> 6),
resets, steps the model to hour 4, checks that the charts and numbers changed and that the new
staff answered the complaints, plays and pauses, and saves a screenshot to
results/dashboard/screenshot.png.
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
            expect(summary).to_contain_text("2 staff")
            before = {css: page.locator(f".{css} img").screenshot() for css in CHARTS}

            staff = page.get_by_role("slider", name="Care staff")  # change a control: 2 -> 6 staff
            staff.focus()
            for _ in range(4):
                staff.press("ArrowRight")
            expect(staff).to_have_attribute("aria-valuenow", "6")
            page.get_by_role("button", name="Reset").click()
            expect(summary).to_contain_text("6 staff")

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
            assert main >= 1 and comparison == 0, text  # 6 staff answered; `ignore` did not

            page.get_by_role("button", name="▶").click()  # play until step 10, then pause
            expect(page.get_by_text("Step: 10", exact=True)).to_be_visible()
            page.get_by_role("button", name="❚❚").click()
            expect(step).to_be_enabled()
            page.wait_for_timeout(1500)
            paused_at = page.get_by_text(re.compile(r"^Step: \d+$")).inner_text()
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
