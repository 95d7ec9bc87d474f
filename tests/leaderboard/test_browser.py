"""The HTML site in a real browser: headless Chromium driven by selenium.

Debian's ``chromium`` and ``chromium-driver`` are installed by this test's setup when they are
missing (as root, with apt-get); the test is skipped, saying why, only where that is
impossible. A screenshot is left in ``$LEADERBOARD_ARTIFACTS`` (default: pytest's tmp dir).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from leaderboard import build_tables, write_site

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                "(pip install -e '.[dev]')")
By = pytest.importorskip("selenium.webdriver.common.by").By

PACKAGES = ("chromium", "chromium-driver")
APT_TIMEOUT_S = 600


def _binaries():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    return browser, shutil.which("chromedriver")


def _install() -> str | None:
    """Install Debian's chromium and its driver; None on success, else why not."""
    if os.name != "posix" or os.geteuid() != 0:
        return "not root, so apt-get cannot install them"
    if shutil.which("apt-get") is None:
        return "no apt-get on this system"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *PACKAGES]):
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env,
                                  timeout=APT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` took longer than {APT_TIMEOUT_S} s"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-200:]}"
    return None


@pytest.fixture(scope="module")
def browser():
    browser_path, driver_path = _binaries()
    if not (browser_path and driver_path):
        why = _install()
        browser_path, driver_path = _binaries()
        if not (browser_path and driver_path):
            pytest.skip(f"headless Chromium unavailable: {' and '.join(PACKAGES)} missing and "
                        f"cannot be installed ({why or 'installed, but not found on PATH'})")
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1600,1200"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=driver_path))
    yield driver
    driver.quit()


@pytest.fixture
def artifacts(tmp_path):
    folder = Path(os.environ.get("LEADERBOARD_ARTIFACTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _body_labels(table):
    return [row.find_elements(By.TAG_NAME, "td")[1].text
            for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]


def test_site_in_headless_chromium(browser, showcase, rec, hostile, tmp_path, artifacts):
    showcase += [rec("m", s, {"forget.r_mean": 1.0, "test.r_mean": 2.0}, task="other")
                 for s in (0, 1)]
    tables = build_tables(showcase)
    index = write_site(tables, tmp_path / "site", {"unlearnbench": "test"})
    browser.get(index.as_uri())

    rendered = browser.find_elements(By.CSS_SELECTOR, "table.sortable")
    assert len(rendered) == len(tables) == 2  # every table renders, with every row
    for element, table in zip(rendered, tables):
        assert _body_labels(element) == [row.label for row in table.rows]

    images = browser.find_elements(By.TAG_NAME, "img")
    assert len(images) == 3
    for image in images:  # every plot loads
        assert browser.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", image)

    toy = rendered[1]
    assert hostile in _body_labels(toy)  # shown as text, not markup
    assert not toy.find_elements(By.CSS_SELECTOR, "tbody b")

    time_header = next(th for th in toy.find_elements(By.TAG_NAME, "th")
                       if th.text.startswith("Time (s)"))
    column = toy.find_elements(By.TAG_NAME, "th").index(time_header)

    def times():
        return [float(tr.find_elements(By.TAG_NAME, "td")[column].get_attribute("data-value"))
                for tr in toy.find_elements(By.CSS_SELECTOR, "tbody tr")]

    time_header.click()
    assert time_header.get_attribute("aria-sort") == "ascending"
    assert times() == sorted(times())
    time_header.click()
    assert time_header.get_attribute("aria-sort") == "descending"
    assert times() == sorted(times(), reverse=True)
    method_header = toy.find_elements(By.TAG_NAME, "th")[1]
    method_header.click()
    assert _body_labels(toy) == sorted(_body_labels(toy))

    assert browser.save_screenshot(str(artifacts / "leaderboard-site.png"))
