"""The Đọc bài player in Debian's Chromium: it plays, changes speed, skips, survives a server failure, and the
page still offers the audio with JavaScript off. Waits are locator assertions on the player's data-state and
the <audio>'s attributes: a string predicate in wait_for_function needs eval, which the site's CSP forbids."""
import re
from urllib.parse import urljoin

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from services.content.articles import published_articles
from tests.browser.conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.browser

AUDIO = ".player audio"
PLAYER = ".player"
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
PLAYBACK_TIMEOUT = 20_000  # espeak makes the first segment on demand


@pytest.fixture(scope="module")
def article_url(live_app, live_server):
    with live_app.app_context():
        slug = db.session.execute(published_articles().limit(1)).scalars().one().slug
    return f"{live_server}/bai-viet/{slug}"


def _expect_state(page, state, timeout=PLAYBACK_TIMEOUT):
    """Wait for the player's data-state (idle, loading, playing, paused, ended, failed)."""
    expect(page.locator(PLAYER)).to_have_attribute("data-state", state, timeout=timeout)


def _expect_segment(page, number):
    """The <audio> plays segment `number` of the article (a sentence; 0 is the title)."""
    expect(page.locator(AUDIO)).to_have_attribute("src", re.compile(rf"/nghe/{number}\.mp3"))


def _start_listening(page):
    page.get_by_role("button", name="Đọc bài").click()
    _expect_state(page, "playing")


def test_player_starts_and_speed_changes_playback_rate(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    _start_listening(page)
    expect(page.locator('[data-seg="0"]')).to_have_class(re.compile(r"\bis-reading\b"))
    _expect_segment(page, 0)

    assert page.evaluate("navigator.mediaSession.metadata.title") == page.locator("h1").inner_text().strip()

    page.get_by_label("Tốc độ").select_option("1.5")
    expect(page.locator(AUDIO)).to_have_js_property("playbackRate", 1.5)
    assert page.evaluate("localStorage.getItem('docbai.speed')") == "1.5"

    # The speed is remembered on the next visit and applies to the next segment too.
    page.reload()
    expect(page.locator('[data-action="speed"]')).to_have_value("1.5")
    _start_listening(page)
    expect(page.locator(AUDIO)).to_have_js_property("playbackRate", 1.5)


def test_pause_skip_and_click_a_paragraph(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    _start_listening(page)

    page.get_by_role("button", name="Tạm dừng", exact=True).click()
    _expect_state(page, "paused")
    expect(page.locator(AUDIO)).to_have_js_property("paused", True)
    expect(page.get_by_role("button", name="Nghe", exact=True)).to_be_visible()

    page.get_by_role("button", name="Đoạn sau").click()
    _expect_segment(page, 1)
    _expect_state(page, "playing")
    expect(page.locator('[data-seg="1"]')).to_have_class(re.compile(r"\bis-reading\b"))

    last = page.locator(".article-body [data-seg]").last
    last_number = last.get_attribute("data-seg")
    last.click()
    expect(page.locator(PLAYER)).to_have_attribute("data-block", last_number)
    _expect_state(page, "playing")
    expect(last).to_have_class(re.compile(r"\bis-reading\b"))


def test_listening_resumes_where_it_stopped(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    _start_listening(page)
    page.get_by_role("button", name="Đoạn sau").click()
    _expect_segment(page, 1)
    _expect_state(page, "playing")
    page.get_by_role("button", name="Tạm dừng", exact=True).click()
    _expect_state(page, "paused")

    page.reload()
    _start_listening(page)
    _expect_segment(page, 1)
    expect(page.locator("[data-status]")).to_contain_text("Nghe tiếp từ đoạn 2/")


def test_keyboard_starts_the_player_and_buttons_are_big_enough(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").focus()
    page.keyboard.press("Enter")
    _expect_state(page, "playing")
    # Found by accessible name, so each control has one; on a phone the skip buttons show only icons.
    controls = [page.get_by_role("button", name=name, exact=True)
                for name in ("Đọc bài", "Đoạn trước", "Tạm dừng", "Đoạn sau")]
    controls.append(page.get_by_label("Tốc độ"))
    for control in controls:
        box = control.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
    # From "Đọc bài" onwards, the bar's controls are reachable by keyboard, in order.
    previous = page.get_by_role("button", name="Đoạn trước")
    for _ in range(8):
        page.keyboard.press("Tab")
        if previous.evaluate("element => element === document.activeElement"):
            break
    expect(previous).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Tạm dừng", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    _expect_state(page, "paused")
    expect(page.locator(AUDIO)).to_have_js_property("paused", True)


def test_one_control_starts_listening_and_the_bar_appears_with_it(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    listen = page.get_by_role("button", name="Đọc bài")
    expect(listen).to_be_visible()  # the script has taken over the page's <audio controls>
    # Before listening, "Đọc bài" is the only control that plays anything: no second player, no audio controls
    # (the article's other buttons, such as saving it for later, play nothing).
    expect(page.locator(".article").get_by_role("button", name="Đọc bài")).to_have_count(1)
    for name in ("Nghe", "Tạm dừng", "Đoạn trước", "Đoạn sau"):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Đọc bài")).to_have_count(0)
    expect(page.locator(AUDIO)).to_be_hidden()
    expect(page.locator(".player-bar")).to_be_hidden()

    listen.click()
    _expect_state(page, "playing")
    expect(page.locator(".player-bar")).to_be_visible()
    for name in ("Đoạn trước", "Tạm dừng", "Đoạn sau"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_label("Tốc độ")).to_be_visible()
    expect(page.get_by_role("button", name="Đọc bài")).to_have_count(1)


def _bar_and_button_boxes(page, button_name):
    return (page.locator(".player-bar").bounding_box(),
            page.get_by_role("button", name=button_name, exact=True).bounding_box())


@pytest.mark.parametrize("width", [360, 320])
def test_bar_keeps_its_height_between_playing_and_paused(browser, article_url, width):
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="vi-VN")
    page = context.new_page()
    status = page.locator("[data-status]")
    try:
        page.goto(article_url)
        _start_listening(page)
        playing = _bar_and_button_boxes(page, "Tạm dừng")
        page.get_by_role("button", name="Tạm dừng", exact=True).click()
        expect(status).to_have_text(re.compile(r"^Tạm dừng ở đoạn 1/\d+( · câu 1/\d+)?$"))
        assert _bar_and_button_boxes(page, "Nghe") == playing

        # Resumed, the status line says more; the bar still keeps its size when the listener pauses.
        page.get_by_role("button", name="Đoạn sau").click()
        _expect_segment(page, 1)
        _expect_state(page, "playing")
        page.get_by_role("button", name="Tạm dừng", exact=True).click()
        _expect_state(page, "paused")
        page.reload()
        _start_listening(page)
        expect(status).to_contain_text("Nghe tiếp từ đoạn 2/")
        assert _bar_and_button_boxes(page, "Tạm dừng") == playing
        page.get_by_role("button", name="Tạm dừng", exact=True).click()
        expect(status).to_have_text(re.compile(r"^Tạm dừng ở đoạn 2/\d+( · câu 1/\d+)?$"))
        assert _bar_and_button_boxes(page, "Nghe") == playing
    finally:
        context.close()


def test_listen_toggle_is_pressed_while_listening(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    listen = page.get_by_role("button", name="Đọc bài")
    expect(listen).to_have_attribute("aria-pressed", "false")
    listen.click()
    expect(listen).to_have_attribute("aria-pressed", "true")
    _expect_state(page, "playing")
    page.get_by_role("button", name="Tạm dừng", exact=True).click()
    _expect_state(page, "paused")
    expect(listen).to_have_attribute("aria-pressed", "true")  # paused is still listening: the bar stays

    page.get_by_role("button", name="Nghe", exact=True).click()
    _expect_state(page, "playing")
    listen.click()  # pressed again, it stops listening
    expect(listen).to_have_attribute("aria-pressed", "false")
    _expect_state(page, "idle")
    expect(page.locator(AUDIO)).to_have_js_property("paused", True)
    expect(page.locator(".player-bar")).to_be_hidden()


def _manifest(page, article_url):
    return page.request.get(urljoin(article_url, page.locator(PLAYER).get_attribute("data-manifest"))).json()


def test_status_line_announces_each_paragraph_and_the_end(browser_page, article_url):
    page = browser_page
    page.goto(article_url)
    total = len({segment["block"] for segment in _manifest(page, article_url)["segments"]})
    status = page.locator("[data-status]")
    expect(status).to_have_attribute("aria-live", "polite")

    _start_listening(page)
    expect(status).to_have_text(f"Đoạn 1/{total}")
    page.get_by_role("button", name="Đoạn sau").click()
    expect(status).to_have_text(f"Đoạn 2/{total}", timeout=PLAYBACK_TIMEOUT)

    page.locator(".article-body [data-seg]").last.click()
    expect(status).to_have_text(f"Đoạn {total}/{total}", timeout=PLAYBACK_TIMEOUT)
    _expect_state(page, "playing")
    # Skip to the last moment of the last sentence rather than listen to it all.
    page.locator(AUDIO).evaluate("audio => { audio.currentTime = Math.max(0, audio.duration - 0.2); }")
    expect(status).to_have_text("Đã đọc hết bài.", timeout=PLAYBACK_TIMEOUT)
    _expect_state(page, "ended")
    expect(page.get_by_role("button", name="Đọc bài")).to_have_attribute("aria-pressed", "true")


def test_server_audio_failure_is_said_in_vietnamese(browser_page, article_url):
    page = browser_page
    page.route("**/nghe/*.mp3*", lambda route: route.fulfill(status=503, body="busy"))
    page.goto(article_url)
    page.get_by_role("button", name="Đọc bài").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Không tải được âm thanh từ máy chủ", timeout=10_000)
    _expect_state(page, "failed")
    # Either the device's own Vietnamese voice is offered, or the listener is told there is none.
    expect(page.locator("[data-device-voice-offer]:visible, [data-no-device-voice]:visible")).to_have_count(1)


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
    page.get_by_role("button", name="Đọc bài").click()
    page.get_by_label("Tốc độ").select_option("1.25")
    page.get_by_role("button", name="Đọc bằng giọng của thiết bị").click()
    expect(page.locator("[data-status]")).to_have_text("Đã đọc hết bài.", timeout=10_000)
    spoken = page.evaluate("window.spokenOnDevice")
    # Sentence by sentence, in the spoken form the server's voice reads (numbers and abbreviations said in words).
    assert [utterance["text"] for utterance in spoken] == [
        segment["spoken"] for segment in _manifest(page, article_url)["segments"]]
    assert {utterance["lang"] for utterance in spoken} == {"vi-VN"}
    assert {utterance["rate"] for utterance in spoken} == {1.25}


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
        _expect_state(page, "failed" if server_fails else "playing")
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert not violations, [(v["id"], [node["target"] for node in v["nodes"][:3]]) for v in violations]
    finally:
        context.close()
