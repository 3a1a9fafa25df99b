"""Reading offline in a real browser: the service worker keeps what a reader opened and the audio they saved.

Each test gets a fresh context, so a fresh worker and empty caches. Waits are locator assertions; where the
worker's own state has to be read (its caches), one evaluate awaits it, never a polled string predicate.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Article
from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.test_accessibility import _violations

KEPT_ARTICLES = 30
CACHE_CONTENTS = """async () => {
    const contents = {};
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        contents[name] = (await cache.keys()).map(request => request.url);
    }
    return contents;
}"""
CACHED_BYTES = """async () => {
    let bytes = 0;
    const byCache = {};
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        byCache[name] = 0;
        for (const request of await cache.keys()) {
            const size = (await (await cache.match(request)).blob()).size;
            bytes += size;
            byCache[name] += size;
        }
    }
    const estimate = await navigator.storage.estimate();
    return {bytes, byCache, usage: estimate.usage};
}"""


@pytest.fixture(scope="module")
def article_paths(live_app):
    """Article paths, newest first, those with a figure first."""
    with live_app.app_context():
        slugs = db.session.execute(
            select(Article.slug).order_by(Article.body_html.contains("<figure").desc(), Article.published_at.desc())
        ).scalars().all()
    return [f"/bai-viet/{slug}" for slug in slugs]


@pytest.fixture
def context(browser):
    """A fresh phone context: its own service worker and caches."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    yield context
    context.close()


def _open_and_keep(page, url):
    page.goto(url)
    # offline.js marks the Lưu button once the worker has answered for the page and every image.
    expect(page.locator("[data-offline-save]")).to_have_attribute("data-kept", "true", timeout=20000)


def test_an_article_opened_once_reads_offline(context, live_server, article_paths):
    page = context.new_page()
    article = live_server + article_paths[0]
    _open_and_keep(page, article)
    title = page.locator("h1").inner_text()
    context.set_offline(True)
    # Reached again from a "Các tin khác" page: the kept copy answers for any ?trang=.
    page.goto(article + "?trang=2")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".article-body p").first).to_be_visible()
    image = page.locator(".article-body img").first
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    expect(image).not_to_have_js_property("naturalWidth", 0)
    assert _violations(page) == []


def _save_then_reopen_offline(context, page, article):
    """Open the article, press Lưu until its audio is kept, then reload it with the network cut; the audio URL."""
    _open_and_keep(page, article)
    save = page.get_by_role("button", name="Lưu để nghe/đọc sau")
    audio_url = save.get_attribute("data-audio")
    save.click()
    expect(page.locator("[data-offline-status]")).to_have_text(re.compile("^Đã lưu"), timeout=90000)
    context.set_offline(True)
    page.goto(article)
    return audio_url


def test_a_saved_articles_audio_plays_offline_with_seeking(context, live_server, article_paths):
    page = context.new_page()
    article = live_server + article_paths[1]
    audio_url = _save_then_reopen_offline(context, page, article)
    expect(page.locator("h1")).to_be_visible()
    whole, part = page.evaluate(
        """async url => {
            const whole = await fetch(url);
            const part = await fetch(url, {headers: {Range: 'bytes=1000-1999'}});
            return [{status: whole.status, size: (await whole.blob()).size},
                    {status: part.status, range: part.headers.get('Content-Range'), size: (await part.blob()).size}];
        }""",
        audio_url,
    )
    assert whole["status"] == 200 and whole["size"] > 2000
    print(f"\nsaved whole MP3: {whole['size'] / 1024:.0f} KiB")
    assert part == {"status": 206, "range": f"bytes 1000-1999/{whole['size']}", "size": 1000}
    # An <audio> plays it from the cache and seeks into it, the network still off.
    played = page.evaluate(
        """url => new Promise((resolve, reject) => {
            const audio = new Audio();
            audio.muted = true;
            audio.addEventListener('error', () => reject(new Error('audio error ' + audio.error.code)));
            audio.addEventListener('playing', () => {
                audio.addEventListener('seeked', () => resolve({duration: audio.duration, at: audio.currentTime}),
                                       {once: true});
                audio.currentTime = audio.duration / 2;
            }, {once: true});
            audio.src = url;
            audio.play().catch(reject);
        })""",
        audio_url,
    )
    assert played["duration"] > 1 and played["at"] == pytest.approx(played["duration"] / 2, abs=1)


def test_a_saved_articles_player_plays_the_saved_audio_offline(context, live_server, article_paths):
    page = context.new_page()
    article = live_server + article_paths[5]
    audio_url = _save_then_reopen_offline(context, page, article)
    player = page.locator(".player")
    audio = page.locator(".player audio")
    # The segment list comes from the cache; the first sentence cannot, so the saved whole MP3 plays.
    page.get_by_role("button", name="Đọc bài").click()
    expect(player).to_have_attribute("data-state", "playing", timeout=20000)
    expect(audio).to_have_js_property("src", live_server + audio_url)
    expect(player.locator("[data-status]")).to_have_text(re.compile("^Đang phát bản đã lưu · đoạn 1/"))
    expect(page.locator('[data-seg="0"]')).to_have_class(re.compile(r"\bis-reading\b"))
    expect(player).to_have_attribute("data-highlight", "block")

    page.get_by_role("button", name="Tạm dừng").click()
    expect(player).to_have_attribute("data-state", "paused")
    expect(player.locator("[data-status]")).to_have_text(re.compile("^Tạm dừng ở đoạn 1/"))
    page.get_by_label("Tốc độ").select_option("1.5")
    expect(audio).to_have_js_property("playbackRate", 1.5)
    page.get_by_role("button", name="Nghe", exact=True).click()
    expect(player).to_have_attribute("data-state", "playing")
    expect(audio).to_have_js_property("playbackRate", 1.5)

    # Đoạn sau goes to the next paragraph's place in the same file.
    page.get_by_role("button", name="Đoạn sau").click()
    expect(player.locator("[data-status]")).to_have_text(re.compile("^Đang phát bản đã lưu · đoạn 2/"))
    expect(page.locator('[data-seg="1"]')).to_have_class(re.compile(r"\bis-reading\b"))
    expect(audio).not_to_have_js_property("currentTime", 0)
    expect(audio).to_have_js_property("src", live_server + audio_url)


def test_a_page_never_opened_gives_the_offline_page(context, live_server, article_paths):
    page = context.new_page()
    _open_and_keep(page, live_server + article_paths[2])
    title = page.locator("h1").inner_text()
    context.set_offline(True)
    page.goto(live_server + article_paths[3])
    expect(page.locator("h1")).to_have_text("Bài đã lưu")
    expect(page.locator("[data-offline-reason]")).to_contain_text("chưa được lưu")
    expect(page.locator("[data-saved-articles] a")).to_have_text([title])
    page.locator("[data-saved-articles] a").click()
    expect(page.locator("h1")).to_have_text(title)
    for path in ("/", "/chuyen-muc/kinh-te?trang=2", "/tim-kiem?q=huyện"):
        page.goto(live_server + path)
        expect(page.locator("[data-offline-reason]")).to_contain_text("Danh sách tin và tìm kiếm cần có mạng")
    assert _violations(page) == []


def test_data_saver_fetches_no_images_or_audio_for_offline_use(context, live_server, article_paths):
    context.add_cookies([{"name": "reading", "value": "data=on", "url": live_server}])
    page = context.new_page()
    _open_and_keep(page, live_server + article_paths[0])
    contents = page.evaluate(CACHE_CONTENTS)
    assert [url for url in contents["docbai-pages"] if url.endswith(article_paths[0])]
    assert not contents.get("docbai-media") and not contents.get("docbai-audio"), contents


def test_a_new_version_replaces_the_old_files(context, live_server, live_app, article_paths, monkeypatch):
    page = context.new_page()
    _open_and_keep(page, live_server + article_paths[0])
    before = page.evaluate(CACHE_CONTENTS)
    old_static = [name for name in before if name.startswith("docbai-static-")]
    assert len(old_static) == 1
    old_site_js = [url for url in before[old_static[0]] if "/static/js/site.js?v=" in url]
    assert len(old_site_js) == 1

    # A deploy changes site.js: its fingerprint, so the worker's first line, so the worker.
    static_files = live_app.extensions["static_files"]
    fingerprint = static_files.fingerprint
    monkeypatch.setattr(static_files, "fingerprint",
                        lambda name: "0123456789ab" if name == "js/site.js" else fingerprint(name))
    after = page.evaluate(
        """async contents => {
            const registration = await navigator.serviceWorker.getRegistration();
            await registration.update();
            const worker = registration.installing || registration.waiting;
            if (worker && worker.state !== 'activated') {
                await new Promise(resolve => worker.addEventListener('statechange',
                    () => worker.state === 'activated' && resolve()));
            }
            return await (""" + CACHE_CONTENTS + """)();
        }""",
        None,
    )
    new_static = [name for name in after if name.startswith("docbai-static-")]
    assert len(new_static) == 1 and new_static != old_static, (old_static, new_static)
    assert [url for url in after[new_static[0]] if url.endswith("/static/js/site.js?v=0123456789ab")]
    assert not [url for url in after[new_static[0]] if url in old_site_js]
    # What the reader kept outlives the new version.
    assert after["docbai-pages"] == before["docbai-pages"]


def test_an_edited_article_shows_its_new_text_when_online_again(context, live_server, live_app, article_paths):
    page = context.new_page()
    article = live_server + article_paths[4]
    _open_and_keep(page, article)
    with live_app.app_context():
        row = db.session.execute(select(Article).where(Article.slug == article_paths[4].rsplit("/", 1)[1])).scalar_one()
        old_title = row.title
        row.title = old_title + " (đã sửa)"
        db.session.commit()
    try:
        page.goto(article)
        expect(page.locator("h1")).to_have_text(old_title + " (đã sửa)")
        context.set_offline(True)
        page.goto(article)
        expect(page.locator("h1")).to_have_text(old_title + " (đã sửa)")
    finally:
        with live_app.app_context():
            row = db.session.execute(select(Article).where(Article.title == old_title + " (đã sửa)")).scalar_one()
            row.title = old_title
            db.session.commit()


def test_the_newest_thirty_articles_are_kept_and_older_ones_dropped(context, live_server, article_paths):
    page = context.new_page()
    opened = article_paths[: KEPT_ARTICLES + 1]
    for path in opened:
        _open_and_keep(page, live_server + path)
    contents = page.evaluate(CACHE_CONTENTS)
    pages = {url.removeprefix(live_server) for url in contents["docbai-pages"]}
    assert pages - {"/ngoai-tuyen/da-luu.json"} == set(opened[1:])
    size = page.evaluate(CACHED_BYTES)
    print(f"\noffline cache for {KEPT_ARTICLES} articles: {size['bytes'] / 1024:.0f} KiB in cached bodies "
          f"({ {name: round(value / 1024) for name, value in size['byCache'].items()} } KiB), "
          f"storage estimate {size['usage'] / 1024:.0f} KiB")
    context.set_offline(True)
    page.goto(live_server + opened[0])
    expect(page.locator("h1")).to_have_text("Bài đã lưu")
    expect(page.locator("[data-saved-articles] li")).to_have_count(KEPT_ARTICLES)
