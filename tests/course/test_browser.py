"""What a learner sees: JupyterLab, started as ``make lab`` starts it, driven by a real (headless) chromium.

It opens chapter 00 of a fresh workspace, runs its cells, reads the check table of exercise 0.1 from the
page, proves every character of it is drawn by an installed font (no empty boxes: no emoji font is needed),
and saves a screenshot whose size and colours prove the page is not blank. Debian's ``chromium`` and
``chromium-driver`` are needed (``.ci/run`` installs them); with ``CI=true`` a missing browser fails the
test, elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_lib.exercises.workspace import update_workspace
from helpers import REPO

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser():
    """A headless chromium driven through chromium-driver (skip or fail, as the module docstring says)."""
    if not (CHROMIUM and DRIVER):
        reason = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def lab_command(workspace: Path, port: int, token: str) -> list:
    """JupyterLab as ``make lab`` runs it (its settings, root folder, terminal shell), on a test port."""
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workspace}",
               "--ServerApp.terminado_settings={'shell_command': ['bash']}", "--LabApp.expose_app_in_browser=True"]
    return command + (["--allow-root"] if os.geteuid() == 0 else [])


# Draws each character in the output's font on a canvas and compares it with a code point no font has
# (U+10FFFD): a character the browser's fonts lack is drawn as that same empty box (or as nothing). With
# Debian's default fonts, the emoji the tables once used (U+2705, U+274C, U+23F3) fail this probe.
_GLYPH_PROBE = """
const [element, characters] = arguments;
const style = getComputedStyle(element);
const canvas = document.createElement("canvas");
canvas.width = canvas.height = 64;
const context = canvas.getContext("2d");
function pixels(text) {
  context.clearRect(0, 0, 64, 64);
  context.font = `40px ${style.fontFamily}`;
  context.textBaseline = "top";
  context.fillText(text, 4, 4);
  return context.getImageData(0, 0, 64, 64).data.join(",");
}
const box = pixels("\\u{10FFFD}"), blank = pixels("");
return characters.filter(c => [box, blank].includes(pixels(c)));
"""


def missing_glyphs(driver, element, characters: list) -> list:
    """The characters that ``element``'s font (with the browser's fallbacks) cannot draw."""
    return driver.execute_script(_GLYPH_PROBE, element, characters)


@pytest.mark.slow
def test_a_learner_opens_chapter_00_runs_it_and_reads_the_check_table(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser()
    workspace = tmp_path / "workspace"
    update_workspace(REPO, workspace)
    port, token = free_port(), "course-browser-test"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    server = subprocess.Popen(lab_command(workspace, port, token), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env, cwd=workspace)
    try:
        url = f"http://127.0.0.1:{port}/lab/tree/notebooks/00_getting_started.ipynb?token={token}"
        deadline = time.monotonic() + 60
        while True:
            try:
                driver.get(url)
                break
            except Exception:  # noqa: BLE001 - the server is still starting
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        wait = WebDriverWait(driver, 120)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell"))
        wait.until(lambda d: d.execute_script(
            "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            "return !!(w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle');"))
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")

        def check_table(d):
            texts = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")]
            return next((t for t in texts if "Exercise 0.1" in t and "case" in t), None)

        table = wait.until(check_table)
        assert "not done yet" in table and "✗ not done" in table  # the learner edition: 0.1 is still a stub
        output = next(e for e in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
                      if "Exercise 0.1" in e.text)
        unreadable = missing_glyphs(driver, output, sorted({c for c in table if ord(c) > 127}))
        assert not unreadable, f"these characters of the check table render as empty boxes: {unreadable}"
        news = driver.find_elements(By.XPATH, "//*[contains(text(), 'official Jupyter news')]")
        assert not news, "JupyterLab's news prompt covers the page (make install writes the course's settings)"
        screenshot = tmp_path / "chapter-00.png"
        driver.save_screenshot(str(screenshot))
        from PIL import Image

        image = Image.open(screenshot).convert("RGB")
        assert image.size == (1400, 1000) or min(image.size) >= 600
        colours = image.resize((140, 100)).getcolors(maxcolors=100_000)
        assert colours is not None and len(colours) > 30, "the page looks blank"
        assert screenshot.stat().st_size > 20_000
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)
