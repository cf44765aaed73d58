"""The desk screens in a real browser: headless Chromium (Debian's) driven by Playwright,
against `dakscan serve` started as a real process on a fresh DAKSCAN_HOME.

One walk through a desk's day: sign in (Hindi), upload a Hindi scan, watch it arrive in the
inbox by itself, open the review, correct the subject, confirm with Enter, find the letter by
a Hindi word only the correction holds, and see the monitoring numbers move. Screenshots of
every screen go to test-artifacts/screens/ for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import letters

ROOT = Path(__file__).resolve().parent.parent
DAKSCAN = Path(sys.executable).parent / "dakscan"
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts" / "screens"
PASSWORD = "desk-pass-2025"
NEW_WORD = "नलकूप"  # not in the letter: only the corrected subject holds it
NEW_SUBJECT = f"ग्राम पंचायतों में {NEW_WORD} मरम्मत एवं पेयजल व्यवस्था की समीक्षा"

try:
    import playwright.sync_api as playwright_api
except ImportError:  # pragma: no cover - the test set-up installs it
    if os.environ.get("CI"):
        raise  # CI installs the test extras: a missing client is a real failure
    pytest.skip("Playwright's Python client is not installed (pip install playwright)",
                allow_module_level=True)
expect = playwright_api.expect


def need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} missing: .ci/setup installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} missing (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(env: dict, *args: str) -> None:
    subprocess.run([str(DAKSCAN), *args], env=env, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`dakscan serve` on a free port over a fresh home with one user per role."""
    need_chromium()
    home = tmp_path_factory.mktemp("ui") / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAKSCAN_")}
    env.update(DAKSCAN_HOME=str(home), DAKSCAN_WORKERS="1")
    for user, role, extra in (("clerk1", "diarist", ["--desk", "Desk-A", "--full-name",
                                                     "सुनीता वर्मा"]),
                              ("admin1", "admin", ["--full-name", "Admin"]),
                              ("commr1", "commissioner", ["--full-name", "आयुक्त कार्यालय"]),
                              ("op1", "operator", ["--desk", "Desk-A"])):
        run_cli(env, "users", "add", "--username", user, "--role", role,
                "--password", PASSWORD, *extra)
    port = free_port()
    log = open(home / "serve.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen([str(DAKSCAN), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=log, stderr=log,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"dakscan serve exited: {(home / 'serve.log').read_text()[-2000:]}")
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("dakscan serve did not answer within 90 s")
    yield {"base": base, "home": home, "env": env}
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def browser(server: dict) -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A two-page Hindi letter (slightly skewed, as scanned) and an English one."""
    d = tmp_path_factory.mktemp("scans")
    hindi = letters.render_page(letters.HINDI_LETTER)
    annex = letters.render_page(["संलग्न: ग्राम पंचायतों की सूची", "1. कुरूद", "2. मगरलोड"])
    out = {"hindi": letters.save_multipage([letters.rotate(hindi, 1.5), annex],
                                           d / "पेयजल-पत्र.pdf")}
    out["english"] = letters.save(letters.render_page(letters.ENGLISH_LETTER), d / "land.png")
    out["broken"] = d / "half-scan.jpg"
    out["broken"].write_bytes(letters.jpeg_bytes(hindi)[:20000])  # cut off: a truncated JPEG
    return out


def shot(page, name: str, full: bool = True) -> None:  # noqa: ANN001
    """Save a screenshot; the review screen as the clerk sees it (its buttons stick to the
    bottom of the window, which a full-page picture would show in the middle)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def sign_in(context, base: str, user: str):  # noqa: ANN001, ANN201
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("उपयोगकर्ता नाम").fill(user)
    page.get_by_label("पासवर्ड").fill(PASSWORD)
    page.get_by_role("button", name="प्रवेश करें").click()
    page.wait_for_load_state()
    return page


def tile(page, metric: str) -> str:  # noqa: ANN001
    return page.locator(f"[data-metric={metric}]").inner_text().strip()


def desk_context(browser, **kw):  # noqa: ANN001, ANN003, ANN201
    return browser.new_context(viewport={"width": 1366, "height": 768}, locale="hi-IN", **kw)


def test_desk_day_in_the_browser(server: dict, browser, scans: dict[str, Path]) -> None:  # noqa: ANN001
    base = server["base"]
    admin_ctx = desk_context(browser)
    admin = sign_in(admin_ctx, base, "admin1")
    admin.goto(f"{base}/dashboard")
    assert tile(admin, "received") == "0" and tile(admin, "confirmed") == "0"

    ctx = desk_context(browser)
    page = ctx.new_page()
    page.goto(base + "/")
    assert page.url.endswith("/login")
    assert page.locator("html").get_attribute("lang") == "hi"
    assert page.get_by_role("link", name="English").is_visible()
    shot(page, "01-sign-in")
    page.get_by_label("उपयोगकर्ता नाम").fill("clerk1")
    page.get_by_label("पासवर्ड").fill("wrong-password")
    page.get_by_role("button", name="प्रवेश करें").click()
    assert page.get_by_role("alert").inner_text().startswith("उपयोगकर्ता नाम या पासवर्ड गलत")
    page.get_by_label("पासवर्ड").fill(PASSWORD)
    page.get_by_role("button", name="प्रवेश करें").click()
    page.wait_for_url("**/inbox")
    assert page.get_by_role("heading", level=1).inner_text().startswith("आज की डाक")
    assert "आज अभी कोई डाक नहीं आई" in page.inner_text("main")
    shot(page, "02-inbox-empty")

    # Upload: the list refreshes by itself, no reload.
    page.set_input_files("#scan-file", [str(scans["hindi"]), str(scans["broken"])])
    assert "पेयजल-पत्र.pdf" in page.locator(".file-name").inner_text()
    page.get_by_label("कैसे आया").select_option("speed_post")
    page.get_by_role("button", name="दर्ज करें").click()
    ok = page.locator(".upload-line.ok")
    ok.wait_for(timeout=90_000)
    assert re.search(r"डायरी क्रमांक \d+/\d{4}/DAK", ok.inner_text())
    page.locator(".upload-line.bad").wait_for(timeout=60_000)
    assert "अधूरी या खराब" in page.locator(".upload-line.bad").inner_text()
    row = page.locator("table.dak-table tbody tr").first
    row.wait_for(timeout=15_000)
    diary_no = row.locator("td.diary").inner_text().strip()
    assert re.fullmatch(r"\d+/\d{4}/DAK", diary_no)
    assert "पेयजल" in row.locator("td.subject").inner_text()
    page.locator(".fail").first.wait_for(timeout=15_000)
    assert "half-scan.jpg" in page.locator(".fail").first.inner_text()
    shot(page, "03-inbox-after-upload")
    page.locator(".fail", has_text="half-scan.jpg").get_by_role("button", name="हटाएँ").click()
    expect(page.locator(".fail")).to_have_count(0)
    row = page.locator("table.dak-table tbody tr").first

    # Review: page picture beside the fields; the evidence line lights up on focus.
    row.get_by_role("link").last.click()
    page.wait_for_url("**/dak/*")
    assert page.locator("img.page-img").first.evaluate("i => i.complete && i.naturalWidth > 0")
    assert page.get_by_label("कैसे आया").input_value() == "speed_post"
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("f-")  # the keyboard starts in the first box to check
    page.get_by_label("विषय", exact=True).focus()
    box = page.locator(".evidence-box")
    box.wait_for(timeout=5_000)
    assert box.bounding_box()["width"] > 50
    assert "2" in page.locator(".page-no").inner_text()  # पृष्ठ 1 / 2
    shot(page, "04-review", full=False)
    page.get_by_role("button", name="अगला पृष्ठ").click()
    assert page.locator("[data-page-no]").inner_text() == "2"
    page.get_by_role("button", name="बड़ा करें").click()
    shot(page, "05-review-page-2-zoomed", full=False)
    page.get_by_role("button", name="पिछला पृष्ठ").click()

    subject = page.get_by_label("विषय", exact=True)
    subject.fill(NEW_SUBJECT)
    subject.press("Enter")  # Enter confirms
    page.wait_for_url(re.compile(r".*done=confirmed.*"))
    assert "पुष्टि हो गई" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("विषय", exact=True).input_value() == NEW_SUBJECT
    page.get_by_label("अनुभाग का नाम").fill("राजस्व")
    page.get_by_role("button", name="भेजें", exact=True).click()
    page.wait_for_url(re.compile(r".*done=marked.*"))
    shot(page, "06-review-confirmed-marked", full=False)

    # Register: found by a word only the corrected subject holds; the signed PDF opens.
    page.get_by_role("link", name="रजिस्टर / खोज").click()
    page.get_by_label("शब्द खोजें").fill(NEW_WORD)
    page.get_by_role("button", name="खोजें", exact=True).click()
    result = page.locator("li.result").first
    result.wait_for()
    assert diary_no in result.inner_text()
    assert result.locator("mark").first.inner_text() == NEW_WORD
    pdf_href = result.get_by_role("link", name="हस्ताक्षरित PDF").get_attribute("href")
    got = page.request.get(base + pdf_href)
    assert got.status == 200 and got.body()[:5] == b"%PDF-"
    shot(page, "07-register-search")

    # Monitoring: the admin's numbers moved with the desk's work.
    admin.reload()
    assert tile(admin, "received") == "1"
    assert tile(admin, "confirmed") == "1"
    assert tile(admin, "failed") == "1"
    assert tile(admin, "pages") == "2"
    assert admin.locator("svg.chart rect").count() > 3
    shot(admin, "08-dashboard")

    # English on request, remembered for the next page.
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Dak register and search"
    page.get_by_role("link", name="Today's dak").click()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "09-inbox-english")
    ctx.close()
    admin_ctx.close()


def test_try_again_and_roles(server: dict, browser, scans: dict[str, Path]) -> None:  # noqa: ANN001
    """A watched desk's failed file comes back with "try again"; operators and the
    commissioner see only their part."""
    from dakscan.service.config import Settings
    from dakscan.watch_folders.settle import record_failure

    kept = server["home"] / "desk-a" / "failed" / "land.png"
    kept.parent.mkdir(parents=True)
    shutil.copy(scans["english"], kept)
    settings = Settings(home=server["home"])
    record_failure(settings.db_url, "Desk-A", "land.png", None,
                   {"status": "failed", "error_code": "timeout"}, kept)

    ctx = desk_context(browser)
    page = sign_in(ctx, server["base"], "op1")
    assert page.url.endswith("/inbox")
    fail = page.locator(".fail", has_text="land.png")
    assert "बहुत देर" in fail.inner_text()  # the Hindi reason of a timeout
    shot(page, "10-inbox-failed-file")
    fail.get_by_role("button", name="फिर से कोशिश करें").click()
    expect(page.locator("table.dak-table tbody tr")).to_have_count(2, timeout=90_000)
    expect(page.locator(".fail", has_text="land.png")).to_have_count(0)
    assert "land records" in page.inner_text("table.dak-table").lower()
    assert page.get_by_role("link", name="निगरानी").count() == 0
    assert page.goto(server["base"] + "/dashboard").status == 403
    ctx.close()

    ctx = desk_context(browser)
    page = sign_in(ctx, server["base"], "commr1")
    assert page.url.endswith("/dashboard")
    assert "आप केवल देख सकते हैं" in page.inner_text("main")
    assert int(tile(page, "received")) == 2
    shot(page, "11-dashboard-commissioner")
    assert page.goto(server["base"] + "/inbox").status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "यह पृष्ठ आपके लिए नहीं है"
    shot(page, "11b-not-for-this-role")
    ctx.close()


def test_tablet_portrait(server: dict, browser) -> None:  # noqa: ANN001
    """On a tablet the review stacks the page above the fields; nothing runs off the side."""
    ctx = browser.new_context(viewport={"width": 800, "height": 1280}, has_touch=True,
                              is_mobile=True, device_scale_factor=1)
    page = sign_in(ctx, server["base"], "clerk1")
    page.goto(server["base"] + "/dak/1")
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 800
    img = page.locator("img.page-img").first.bounding_box()
    field = page.get_by_label("विषय", exact=True).bounding_box()
    assert field["y"] > img["y"]
    shot(page, "12-review-tablet", full=False)
    page.goto(server["base"] + "/inbox")
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    shot(page, "13-inbox-tablet")
    ctx.close()
