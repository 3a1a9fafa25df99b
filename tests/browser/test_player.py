"""The Đọc bài player in Debian's Chromium: it plays, changes speed, skips, survives a server failure, and the
page still offers the audio with JavaScript off."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from services.articles import published_articles
from tests.browser.conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.browser

AUDIO = ".player audio"
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@pytest.fixture(scope="module")
def article_url(live_app, live_server):
    with live_app.app_context():
        slug = db.session.execute(published_articles().limit(1)).scalars().one().slug
    return f"{live_server}/bai-viet/{slug}"


def _wait_until_playing(page):
    page.wait_for_function(
        "sel => { const a = document.querySelector(sel); return a && !a.paused && a.currentTime > 0; }",
        arg=AUDIO,
        timeout=20_000,
    )


def test_player_starts_and_speed_changes_playback_rate(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").click()
    _wait_until_playing(page)
    assert page.locator('[data-seg="0"].is-reading').count() == 1
    assert "/nghe/0.mp3" in page.eval_on_selector(AUDIO, "a => a.currentSrc")

    assert page.evaluate("navigator.mediaSession.metadata.title") == page.locator("h1").inner_text().strip()

    page.get_by_label("Tốc độ").select_option("1.5")
    assert page.eval_on_selector(AUDIO, "a => a.playbackRate") == 1.5
    assert page.evaluate("localStorage.getItem('docbai.speed')") == "1.5"

    # The speed is remembered on the next visit and applies to the next segment too.
    page.reload()
    assert page.get_by_label("Tốc độ").input_value() == "1.5"
    page.get_by_role("button", name="Đọc bài").click()
    _wait_until_playing(page)
    assert page.eval_on_selector(AUDIO, "a => a.playbackRate") == 1.5


def test_pause_skip_and_click_a_paragraph(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").click()
    _wait_until_playing(page)

    page.get_by_role("button", name="Tạm dừng", exact=True).click()
    page.wait_for_function("sel => document.querySelector(sel).paused", arg=AUDIO)
    expect(page.get_by_role("button", name="Nghe", exact=True)).to_be_visible()

    page.get_by_role("button", name="Đoạn sau").click()
    _wait_until_playing(page)
    assert "/nghe/1.mp3" in page.eval_on_selector(AUDIO, "a => a.currentSrc")
    assert page.locator('[data-seg="1"].is-reading').count() == 1

    last = page.locator(".article-body [data-seg]").last
    last_number = last.get_attribute("data-seg")
    last.click()
    _wait_until_playing(page)
    assert f"/nghe/{last_number}.mp3" in page.eval_on_selector(AUDIO, "a => a.currentSrc")
    assert last.evaluate("element => element.classList.contains('is-reading')")


def test_listening_resumes_where_it_stopped(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").click()
    _wait_until_playing(page)
    page.get_by_role("button", name="Đoạn sau").click()
    _wait_until_playing(page)
    page.get_by_role("button", name="Tạm dừng", exact=True).click()

    page.reload()
    page.get_by_role("button", name="Đọc bài").click()
    _wait_until_playing(page)
    assert "/nghe/1.mp3" in page.eval_on_selector(AUDIO, "a => a.currentSrc")
    expect(page.locator("[data-status]")).to_contain_text("Nghe tiếp từ đoạn 2/")


def test_keyboard_starts_the_player_and_buttons_are_big_enough(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").focus()
    page.keyboard.press("Enter")
    _wait_until_playing(page)
    # Found by accessible name, so each control has one; on a phone the skip buttons show only icons.
    controls = [page.get_by_role("button", name=name, exact=True)
                for name in ("Dừng đọc", "Đoạn trước", "Tạm dừng", "Đoạn sau")]
    controls.append(page.get_by_label("Tốc độ"))
    for control in controls:
        box = control.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
    page.keyboard.press("Tab")  # from "Dừng đọc" onwards, the bar's controls are reachable by keyboard
    page.get_by_role("button", name="Tạm dừng", exact=True).focus()
    page.keyboard.press("Space")
    page.wait_for_function("sel => document.querySelector(sel).paused", arg=AUDIO)


def test_server_audio_failure_is_said_in_vietnamese(browser_page, article_url):
    page = browser_page
    page.route("**/nghe/*.mp3*", lambda route: route.fulfill(status=503, body="busy"))
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").click()
    alert = page.get_by_role("alert")
    alert.wait_for(state="visible", timeout=10_000)
    assert "Không tải được âm thanh từ máy chủ" in alert.inner_text()
    # Either the device's own Vietnamese voice is offered, or the listener is told there is none.
    page.wait_for_function(
        "() => !document.querySelector('[data-device-voice-offer]').hidden"
        " || !document.querySelector('[data-no-device-voice]').hidden",
        timeout=5_000,
    )


FAKE_DEVICE_VOICE = """
window.spokenOnDevice = [];
class FakeUtterance extends EventTarget { constructor(text) { super(); this.text = text; } }
window.SpeechSynthesisUtterance = FakeUtterance;
Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
  getVoices: () => [{ lang: "vi-VN", name: "Giọng thử", localService: true }],
  speak(utterance) {
    window.spokenOnDevice.push({ text: utterance.text, lang: utterance.lang, rate: utterance.rate });
    setTimeout(() => utterance.dispatchEvent(new Event("end")), 5);
  },
  cancel() {}, addEventListener() {},
} });
"""


def test_device_voice_reads_the_page_when_the_server_fails(browser_page, article_url):
    page = browser_page
    page.add_init_script(FAKE_DEVICE_VOICE)
    page.route("**/nghe/*.mp3*", lambda route: route.fulfill(status=503, body="busy"))
    page.goto(article_url)
    page.get_by_label("Tốc độ").select_option("1.25")
    page.get_by_role("button", name="Đọc bài").click()
    page.get_by_role("button", name="Đọc bằng giọng của thiết bị").click()
    expect(page.locator("[data-status]")).to_have_text("Đã đọc hết bài.", timeout=10_000)
    spoken = page.evaluate("window.spokenOnDevice")
    title = page.locator("h1[data-seg='0']").inner_text().strip()
    assert spoken[0]["text"].strip() == title
    assert {utterance["lang"] for utterance in spoken} == {"vi-VN"}
    assert {utterance["rate"] for utterance in spoken} == {1.25}
    last_block = page.locator(".article-body [data-seg]").last.inner_text().split()[-1]
    assert spoken[-1]["text"].split()[-1] == last_block


def test_page_offers_the_audio_with_javascript_off(no_js_page, article_url):
    page = no_js_page
    page.goto(article_url)
    audio = page.locator("audio[controls][preload='none']")
    assert audio.count() == 1 and audio.is_visible()
    assert "/nghe.mp3?v=" in audio.get_attribute("src")
    download = page.get_by_role("link", name="Tải tệp âm thanh (MP3)")
    assert download.is_visible()
    assert "tai_ve=1" in download.get_attribute("href")
    listen = page.get_by_role("link", name="Đọc bài")
    assert listen.get_attribute("href") == "#nghe-bai"
    assert not page.get_by_role("button", name="Đọc bài").is_visible()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("contrast", ["normal", "high"])
@pytest.mark.parametrize("server_fails", [False, True], ids=["playing", "server-failed"])
def test_player_in_use_has_no_axe_violations(browser, live_server, article_url, color_scheme, contrast, server_fails):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", color_scheme=color_scheme,
                                  reduced_motion="reduce")
    if contrast == "high":
        context.add_cookies([{"name": "reading", "value": "contrast=high", "url": live_server}])
    page = context.new_page()
    try:
        if server_fails:
            page.route("**/nghe/*.mp3*", lambda route: route.fulfill(status=503, body="busy"))
        page.goto(article_url)
        page.get_by_role("button", name="Đọc bài").click()
        if server_fails:
            page.get_by_role("alert").wait_for(state="visible")
        else:
            _wait_until_playing(page)
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert not violations, [(v["id"], [node["target"] for node in v["nodes"][:3]]) for v in violations]
    finally:
        context.close()
