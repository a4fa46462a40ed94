"""The officers' console in a real headless Chromium on the real mesh (issue 16): sign-in by
keyboard alone, the skip link, the language switch, sign-out; the accessibility basics of the
pages that exist (sign-in, home, error); no request leaving the console's origin, under its
Content-Security-Policy; and no template or static file naming an address outside the mesh.
The helpers are in tests/browser.py, for the other pages' tests."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from browser import (
    accessibility_problems,
    browser,  # noqa: F401  (the fixture)
    csp_refusals,
    describe,
    focus_ring,
    focused,
    from_top,
    in_browser,
    outside,
    press,
    requests_of,
    screenshot,
    tab,
    tab_stops,
    unreachable_by_keyboard,
    wait_for,
    wait_for_path,
)
from console_harness import create_officer, running_console
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_loop_over_kafka import catalog_ready

from harness import Mesh
from jrp_console.app import CONTENT_SECURITY_POLICY

CONSOLE = Path(__file__).resolve().parent.parent / "services" / "console" / "src" / "jrp_console"


def basics_hold(driver: webdriver.Chrome, page: str) -> None:
    """The page's accessibility basics: labels, one h1, headings in order, a named nav, every
    control reachable by Tab, and the first Tab stop drawn with a visible focus ring."""
    assert accessibility_problems(driver) == [], page
    assert unreachable_by_keyboard(driver) == [], page
    from_top(driver)
    first = tab(driver)
    assert first.get_attribute("class") == "skip", f"{page}: first Tab stop {describe(first)}"
    assert focus_ring(driver, first), f"{page}: no visible focus on {describe(first)}"


def stays_home(driver: webdriver.Chrome, origin: str, page: str) -> None:
    """Nothing the page loaded or asked for went anywhere but the console, and its CSP had
    nothing to refuse."""
    seen = requests_of(driver)
    assert any(url.endswith("/static/console.css") for url in seen), f"{page}: {seen}"
    assert outside(seen, origin) == [], page
    assert csp_refusals(driver) == [], page


async def test_an_officer_signs_in_and_out_by_keyboard_alone(
    mesh: Mesh,
    tmp_path: Path,
    browser: webdriver.Chrome,  # noqa: F811
) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "li.qiang", "tax", ["initiator", "reviewer"], "李强")
    async with running_console(mesh, tmp_path, serve=True) as console:
        url = console.url
        assert url is not None

        def scenario() -> None:
            browser.get(f"{url}/")
            wait_for_path(browser, "/login")
            username = wait_for(browser, "#username")
            assert browser.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "zh-CN"
            assert focused(browser) == username, "the username field has the focus first"
            press(browser, "li.qiang")
            assert tab(browser) == browser.find_element(By.ID, "password")
            press(browser, password, Keys.ENTER)

            wait_for_path(browser, "/")
            assert wait_for(browser, "header .officer").text.startswith("李强")
            assert "李强 (li.qiang)" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
            screenshot(browser, "home")
            stops = tab_stops(browser)
            assert stops[:10] == [
                "a.skip[href=/]",
                "a.brand[href=/]",
                "a[href=/]",
                "a[href=/inbox]",
                "a[href=/check]",
                "a[href=/entries]",
                "a[href=/catalog]",
                "a[href=/calendar]",
                "a[href=/lang/en]",
                "button.link",
            ], stops
            # Then the page's own: the officer's inboxes (an initiator and reviewer: objections,
            # repairs, recognition meetings), each a link to its part of the inbox.
            assert stops[10:] and all(s.startswith("a[href=/inbox") for s in stops[10:]), stops
            from_top(browser)

            # The skip link is the first Tab stop and takes the focus to the page's main part.
            skip = tab(browser)
            assert skip.get_attribute("class") == "skip", describe(skip)
            assert skip.get_attribute("href") == f"{url}/#main"
            assert skip.is_displayed() and focus_ring(browser, skip)
            press(browser, Keys.ENTER)
            assert focused(browser) == browser.find_element(By.ID, "main")
            assert browser.current_url.endswith("#main")
            # The next Tab goes on from the main part, not from the top of the page.
            assert focused(browser) != tab(browser)

            # The language switch, by keyboard: the page in English.
            switch = browser.find_element(By.CSS_SELECTOR, "header .who a[href^='/lang/']")
            assert switch.text == "English"
            switch.send_keys(Keys.ENTER)
            wait_for(browser, "html[lang='en']")
            wait_for_path(browser, "/")
            assert browser.find_element(By.CSS_SELECTOR, "h1").text == "My work"
            sign_out = browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button")
            assert sign_out.text == "Sign out"
            screenshot(browser, "home-en")

            # Sign out, by keyboard: back on the sign-in page, and the home page is closed.
            sign_out.send_keys(Keys.ENTER)
            wait_for_path(browser, "/login")
            assert browser.find_element(By.ID, "sign-in").text == "Sign in"
            browser.get(f"{url}/")
            wait_for_path(browser, "/login")
            assert not browser.find_elements(By.CSS_SELECTOR, "header .officer")

        await in_browser(scenario)


async def test_the_pages_keep_the_accessibility_basics_and_their_requests_at_home(
    mesh: Mesh,
    tmp_path: Path,
    browser: webdriver.Chrome,  # noqa: F811
) -> None:
    await catalog_ready(mesh)
    password = await create_officer(mesh, "wang.fang", "market", ["implementer"], "王芳")
    async with running_console(mesh, tmp_path, serve=True) as console:
        url = console.url
        assert url is not None
        async with httpx.AsyncClient(base_url=url) as client:
            for path in ("/login", "/static/console.js", "/healthz"):
                answer = await client.get(path)
                assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
            assert "default-src 'self'" in CONTENT_SECURITY_POLICY
            assert "http" not in CONTENT_SECURITY_POLICY

        def scenario() -> None:
            browser.get(f"{url}/login")
            wait_for(browser, "#username")
            screenshot(browser, "login")
            basics_hold(browser, "sign-in")
            stays_home(browser, url, "sign-in")

            wait_for(browser, "#username").send_keys("wang.fang")
            browser.find_element(By.ID, "password").send_keys("not the password", Keys.ENTER)
            assert wait_for(browser, "#login-error").get_attribute("role") == "alert"
            basics_hold(browser, "sign-in refused")
            stays_home(browser, url, "sign-in refused")

            browser.find_element(By.ID, "password").send_keys(password, Keys.ENTER)
            wait_for_path(browser, "/")
            wait_for(browser, "header .officer")
            assert wait_for(browser, "header nav").get_attribute("aria-label") == "主导航"
            basics_hold(browser, "home")
            stays_home(browser, url, "home")

            # A form whose CSRF token is not the session's: the error page.
            browser.execute_script(
                "document.querySelector('form[action=\"/logout\"] input[name=csrf]')"
                ".value = 'forged';"
            )
            browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").send_keys(
                Keys.ENTER
            )
            assert "表单已失效" in wait_for(browser, "#error-message").text
            screenshot(browser, "error")
            basics_hold(browser, "error")
            stays_home(browser, url, "error")

            # The browser enforces the policy: an address outside the mesh is refused unsent.
            refused = browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "document.addEventListener('securitypolicyviolation',"
                "  (e) => done(e.effectiveDirective + ' ' + e.blockedURI), { once: true });"
                "const probe = new Image(); probe.alt = '';"
                "probe.src = 'http://192.0.2.1/probe.png'; document.body.append(probe);"
                "setTimeout(() => done(null), 5000);"
            )
            assert refused == "img-src http://192.0.2.1/probe.png"
            # … and the checks above would have seen it: the probe is in both lists.
            assert set(outside(requests_of(browser), url)) == {"http://192.0.2.1/probe.png"}
            assert len(csp_refusals(browser)) == 1

        await in_browser(scenario)


# Addresses that are names, not places: the XML namespaces the vendored ECharts writes into
# its SVG (never fetched).
XML_NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
}
ADDRESS = re.compile(r"https?://[^\s\"'()<>]+", re.IGNORECASE)
SCHEMELESS = re.compile(r"""(?:src|href|action)\s*=\s*["']?//|url\(\s*["']?//""", re.IGNORECASE)


def _outside_addresses(path: Path, root: Path = CONSOLE) -> list[str]:
    """The addresses outside the mesh that a template or static file names, except in
    vendored licence texts (LICENSE.*, NOTICE.*, a script's /* … */ licence lines)."""
    if path.name.startswith(("LICENSE", "NOTICE")):
        return []
    found: list[str] = []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        licence_line = path.parent.name == "vendor" and line.lstrip().startswith("*")
        for match in ADDRESS.finditer(line):
            if match.group(0) in XML_NAMESPACES or licence_line:
                continue
            found.append(f"{path.relative_to(root)}:{number}: {match.group(0)}")
        found += [
            f"{path.relative_to(root)}:{number}: {m.group(0)}…" for m in SCHEMELESS.finditer(line)
        ]
    return found


def test_no_template_or_static_file_names_an_address_outside_the_mesh() -> None:
    files = sorted(
        p
        for folder in ("templates", "static")
        for p in (CONSOLE / folder).rglob("*")
        if p.is_file()
    )
    assert any(p.name == "echarts.min.js" for p in files) and any(
        p.name == "base.html" for p in files
    )
    assert [hit for p in files for hit in _outside_addresses(p)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<script src="https://cdn.example.com/x.js"></script>', 1),
        ('<link href="//fonts.example.com/f.css">', 1),
        ("body { background: url(//img.example.com/b.png) }", 1),
        ('var n="http://www.w3.org/2000/svg"', 0),
        ('<a href="/entries">', 0),
    ],
)
def test_the_address_check_sees_an_outside_address(
    tmp_path: Path, text: str, expected: int
) -> None:
    page = tmp_path / "templates" / "page.html"
    page.parent.mkdir()
    page.write_text(text)
    assert len(_outside_addresses(page, tmp_path)) == expected


def test_a_machine_without_chromium_fails_the_browser_tests_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import browser as browser_module

    monkeypatch.setattr(browser_module, "CHROMEDRIVER", tmp_path / "chromedriver")
    with pytest.raises(pytest.fail.Exception, match="chromium-driver"):
        browser_module.start_chromium(tmp_path / "profile")
