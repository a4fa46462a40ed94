"""A real browser on the console (issue 16): Debian's headless Chromium driven by Selenium
through Debian's chromedriver, both named by path (never Selenium Manager, nothing downloaded).

Selenium's calls block: a test serves the console in its event loop
(`running_console(mesh, tmp_path, serve=True)`) and runs the browser's part in a thread,
`await in_browser(scenario)`, so the loop stays free to answer the browser.

    async def test_x(mesh, tmp_path, browser):
        async with running_console(mesh, tmp_path, serve=True) as console:
            def scenario() -> None:
                sign_in(browser, console.url, "li.qiang", password)
                wait_for(browser, "#something")
                assert not accessibility_problems(browser)
                screenshot(browser, "page-name")
            await in_browser(scenario)

`make screenshots` runs the browser tests with JRP_CONSOLE_SCREENSHOTS=1, which saves each
`screenshot(...)` as docs/console/<name>.png; `make test` leaves the docs alone."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.selenium_manager import SeleniumManager
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "deploy/local/tools.sh chromium chromedriver (Debian: chromium, chromium-driver)"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "console"
WIDTH, HEIGHT = 1366, 900
WAIT_SECONDS = 15.0

T = TypeVar("T")


def _options(profile: Path) -> Options:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={WIDTH},{HEIGHT}",
        "--lang=zh-CN",
        f"--user-data-dir={profile}",
        # The browser itself calls no one either (updates, sync, safe browsing, …).
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # The page's console (CSP violations are reported there) and every request sent.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return options


def start_chromium(profile: Path) -> webdriver.Chrome:
    """A headless Chromium (Debian's), or a failed test saying what to install: the browser
    tests are part of `make test` and are never skipped."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(f"the browser tests need {', '.join(missing)}; install with {INSTALL_HINT}")
    # Selenium Manager would look for (and download) a driver: both paths are given (so it
    # is skipped), and offline it may not reach out even so.
    os.environ["SE_OFFLINE"] = "true"
    driver = webdriver.Chrome(
        service=Service(executable_path=str(CHROMEDRIVER)), options=_options(profile)
    )
    driver.set_page_load_timeout(WAIT_SECONDS * 2)
    return driver


def _no_selenium_manager(*_args: object, **_kwargs: object) -> dict[str, str]:
    raise AssertionError("Selenium Manager ran: the browser tests name their binaries")


@pytest.fixture
async def browser(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[webdriver.Chrome]:
    """A fresh headless Chromium (own profile, no cookies) for one test, started and quit in
    a thread so the event loop is never held up. Selenium Manager, if anything called it,
    fails the test (and is offline: SE_OFFLINE)."""
    monkeypatch.setenv("SE_OFFLINE", "true")
    monkeypatch.setattr(SeleniumManager, "binary_paths", _no_selenium_manager)
    profile = Path(tempfile.mkdtemp(prefix="jrp-chromium-"))
    driver = await asyncio.to_thread(start_chromium, profile)
    try:
        yield driver
    finally:
        await asyncio.to_thread(driver.quit)
        shutil.rmtree(profile, ignore_errors=True)


async def in_browser(scenario: Callable[[], T]) -> T:
    """Run the blocking browser steps in a thread; the event loop serves the console."""
    return await asyncio.to_thread(scenario)


# --- finding and waiting ---------------------------------------------------------------


def wait_for(driver: webdriver.Chrome, css: str, timeout: float = WAIT_SECONDS) -> WebElement:
    """The first element matching `css`, once it is on the page."""
    element: WebElement = WebDriverWait(driver, timeout).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    )
    return element


def wait_for_path(driver: webdriver.Chrome, path: str, timeout: float = WAIT_SECONDS) -> None:
    """Until the page's path (without query or fragment) is `path`."""
    WebDriverWait(driver, timeout).until(lambda d: urlsplit(d.current_url).path == path)


def focused(driver: webdriver.Chrome) -> WebElement:
    return driver.switch_to.active_element


_DESCRIBE = """
const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  Array.from(e.classList).map((c) => '.' + c).join('') +
  (e.hasAttribute('href') ? '[href=' + new URL(e.href).pathname + ']' : '');
"""


def describe(element: WebElement) -> str:
    """A short name of an element for messages: tag#id.class[href=path]."""
    name: str = element.parent.execute_script(_DESCRIBE + "return describe(arguments[0]);", element)
    return name


# --- the keyboard ----------------------------------------------------------------------


def press(driver: webdriver.Chrome, *keys: str) -> None:
    """Keys typed to whatever has the focus (as a person at the keyboard would)."""
    ActionChains(driver).send_keys(*keys).perform()


def tab(driver: webdriver.Chrome, times: int = 1, *, back: bool = False) -> WebElement:
    """Tab (or Shift+Tab) `times`; the element then focused."""
    for _ in range(times):
        if back:
            ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
                Keys.SHIFT
            ).perform()
        else:
            press(driver, Keys.TAB)
    return focused(driver)


def from_top(driver: webdriver.Chrome) -> None:
    """Focus back at the document's start: the next Tab reaches the page's first stop."""
    driver.execute_script(
        "document.activeElement && document.activeElement.blur();"
        "window.getSelection().removeAllRanges();"
        "document.body.setAttribute('tabindex', '-1'); document.body.focus();"
        "document.body.removeAttribute('tabindex');"
    )


FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), "
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)
_SHOWN_FOCUSABLE = (
    _DESCRIBE
    + f"const FOCUSABLE = {FOCUSABLE!r};"
    + """
return Array.from(document.querySelectorAll(FOCUSABLE))
  .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
  .map(describe);
"""
)


def tab_stops(driver: webdriver.Chrome) -> list[str]:
    """The page's Tab order from its top, by `describe`."""
    count = len(driver.execute_script(_SHOWN_FOCUSABLE))
    from_top(driver)
    stops: list[str] = []
    for _ in range(count + 1):
        press(driver, Keys.TAB)
        name: str = driver.execute_script(_DESCRIBE + "return describe(document.activeElement);")
        if name == "body" or (stops and name == stops[0]):
            break
        stops.append(name)
    return stops


def unreachable_by_keyboard(driver: webdriver.Chrome) -> list[str]:
    """Visible interactive elements that Tab never reaches (expected: none). A skip link
    (shown only when focused) counts as visible: it is the first stop."""
    stops = set(tab_stops(driver))
    shown: list[str] = driver.execute_script(_SHOWN_FOCUSABLE)
    return [name for name in shown if name not in stops]


def focus_ring(driver: webdriver.Chrome, element: WebElement) -> str:
    """The focused element's outline (or box shadow) as drawn, '' when it has none."""
    style: str = driver.execute_script(
        "const s = getComputedStyle(arguments[0]);"
        "if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
        "  return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor;"
        "return s.boxShadow === 'none' ? '' : s.boxShadow;",
        element,
    )
    return style


# --- accessibility basics --------------------------------------------------------------

_ACCESSIBILITY = """
const problems = [];
const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (e.name ? '[name=' + e.name + ']' : '');
for (const e of document.querySelectorAll('input, select, textarea')) {
  if (e.type === 'hidden') continue;
  const byFor = e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]');
  const labelled = byFor || e.closest('label') || (e.getAttribute('aria-label') || '').trim() ||
    e.getAttribute('aria-labelledby');
  if (!labelled) problems.push('no label: ' + name(e));
}
const h1 = document.querySelectorAll('h1').length;
if (h1 !== 1) problems.push(h1 + ' h1 elements (one expected)');
let level = 0;
for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
  const next = Number(h.tagName[1]);
  if (next > level + 1) problems.push('heading skips a level: ' + h.tagName + ' after h' + level);
  level = next;
}
for (const nav of document.querySelectorAll('nav')) {
  if (!(nav.getAttribute('aria-label') || nav.getAttribute('aria-labelledby')))
    problems.push('nav without aria-label');
}
for (const th of document.querySelectorAll('th')) {
  if (!th.getAttribute('scope')) problems.push('th without scope: ' + th.textContent.trim());
}
for (const img of document.querySelectorAll('img')) {
  if (!img.hasAttribute('alt')) problems.push('img without alt: ' + img.src);
}
for (const b of document.querySelectorAll('[onclick], [role=button]')) {
  if (b.tagName !== 'BUTTON') problems.push('clickable non-button: ' + name(b));
}
if (!document.documentElement.lang) problems.push('html without lang');
if (!document.title.trim()) problems.push('no title');
if (document.querySelector('script:not([src]):not([type="application/json"])'))
  problems.push('inline script');
return problems;
"""


def accessibility_problems(driver: webdriver.Chrome) -> list[str]:
    """The page's breaches of the console's basics (expected: none): every input, select and
    textarea labelled (label[for], a wrapping label, aria-label/-labelledby); one h1 and
    headings in order; navs named; th with scope; img with alt; only buttons clickable;
    html lang and a title; no inline script."""
    problems: list[str] = driver.execute_script(_ACCESSIBILITY)
    return problems


# --- where the page's requests went -----------------------------------------------------


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def requests_of(driver: webdriver.Chrome) -> list[str]:
    """Every address the current page loaded or asked for: the page itself, its resource
    entries (stylesheets, scripts, images, fonts, fetches) and what the network log saw
    (since the last call: the log is read once)."""
    urls: list[str] = [driver.current_url]
    urls += driver.execute_script(
        "return performance.getEntriesByType('navigation').map(e => e.name)"
        ".concat(performance.getEntriesByType('resource').map(e => e.name));"
    )
    for entry in driver.get_log("performance"):  # type: ignore[no-untyped-call]
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


# Not the network: inline data, the page's own objects, the browser's built-in pages (its
# new-tab page before the first `get`).
LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome:", "chrome-untrusted:", "devtools:")


def outside(urls: list[str], origin: str) -> list[str]:
    """The addresses that are not `origin`'s (nor local)."""
    return [url for url in urls if not url.startswith(LOCAL_SCHEMES) and origin_of(url) != origin]


def off_origin(driver: webdriver.Chrome, origin: str) -> list[str]:
    """The page's requests to anywhere but `origin` (expected: none)."""
    return outside(requests_of(driver), origin)


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """The browser console's errors since the last call (read once)."""
    logged: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [entry["message"] for entry in logged if entry.get("level") == "SEVERE"]


def csp_refusals(driver: webdriver.Chrome) -> list[str]:
    """What the Content-Security-Policy refused since the last read of the console log."""
    return [m for m in console_errors(driver) if "Content Security Policy" in m]


# --- pages ------------------------------------------------------------------------------


def sign_in(driver: webdriver.Chrome, url: str, username: str, password: str) -> None:
    """Through the sign-in form (the console's own page), landing on the home page."""
    driver.get(f"{url}/login")
    wait_for(driver, "#username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "sign-in").click()
    wait_for_path(driver, "/")
    wait_for(driver, "header .officer")


def screenshot(driver: webdriver.Chrome, name: str) -> Path | None:
    """docs/console/<name>.png of the page as shown, only under JRP_CONSOLE_SCREENSHOTS=1
    (`make screenshots`); None otherwise."""
    if os.environ.get("JRP_CONSOLE_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot saved as {path}"
    return path
