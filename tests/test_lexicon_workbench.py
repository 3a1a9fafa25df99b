"""Từ điển đọc, the editors' pronunciation workbench: the lexicon in the database (shared by every process and
host, imported once from the old file on upgrade, TSV in and out), its page in the newsroom (guarded, CSRF,
audited), a change re-making the audio of the articles it alters and only those (the old audio served until the
new one is whole), and Kiểm tra cách đọc with its doubts and prefilled "Thêm vào từ điển"."""
import dataclasses
import datetime as dt
import html
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from extensions import db
from models import Article, AuditEvent, LexiconEntry, User
from newsroom_support import RecordingVoice, app, db_app, login, logged_in, make_user, post, token  # noqa: F401
from services.infra.jobs import BACKGROUND, run_job
from services.newsroom.accounts import EDITOR
from support import use_voice
from web.background import LEXICON_CHANGE_TASK, REMAKE_AUDIO_TASK

UNKNOWN = "PTNNX"  # capitals no lexicon knows: spelled letter by letter until an editor adds them
SPOKEN = "phòng trồng nấm Nà Xé"
TSV = ("ĐTĐL\tĐoàn thanh niên Đồng Lâm\n"
       "Wifi\tOai phai\tword\n"
       "CT\tChỉ thị huyện\tsign\n"
       "BCH\tBan Chỉ huy biên phòng\t\tnext=Biên phòng|BP\n")


class RecordingQueue:
    """A job queue that keeps what it is given, so a test can see which jobs a change queues and run them."""

    def __init__(self):
        self.jobs = []

    def enqueue(self, job):
        if any(queued.id == job.id for queued in self.jobs):
            return False
        self.jobs.append(job)
        return True

    def is_pending(self, job_id):
        return False

    def pending_count(self):
        return len(self.jobs)


@pytest.fixture
def editor(app):
    return logged_in(app, "bientap", EDITOR)


@pytest.fixture
def queue(app):
    recording = RecordingQueue()
    app.extensions["docbai"] = dataclasses.replace(app.extensions["docbai"], jobs=recording)
    return recording


@pytest.fixture
def voice(app):
    return use_voice(app, RecordingVoice(0.2))


def _article(app, slug, body):
    with app.app_context():
        article = Article(title=f"Tin {slug}", slug=slug, body_html=body, status="published",
                          published_at=dt.datetime(2026, 11, 2, 1, tzinfo=dt.timezone.utc))
        db.session.add(article)
        db.session.commit()
        return article.id


def _speech(app):
    return app.extensions["docbai"].speech


def _segments(app, article_id):
    with app.app_context():
        return _speech(app).segments(db.session.get(Article, article_id))


def _entries(app):
    with app.app_context():
        return [(row.written, row.spoken, row.kind, row.context, row.changed_by)
                for row in db.session.execute(sa.select(LexiconEntry).order_by(LexiconEntry.id)).scalars()]


def _actions(app):
    with app.app_context():
        return [(event.action, event.username, event.target)
                for event in db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()
                if event.action.startswith("lexicon")]


def _add(client, written, spoken, kind="", **fields):
    return post(client, "/bien-tap/tu-dien", {"viet": written, "doc": spoken, "loai": kind, **fields})


# Guards

ROUTES = [
    ("get", "/bien-tap/tu-dien"),
    ("post", "/bien-tap/tu-dien"),
    ("get", "/bien-tap/tu-dien/1"),
    ("post", "/bien-tap/tu-dien/1/xoa"),
    ("get", "/bien-tap/tu-dien/tu-dien.tsv"),
    ("post", "/bien-tap/tu-dien/nhap"),
    ("get", "/bien-tap/tu-dien/nghe-thu.mp3?viet=UBND&doc=x"),
    ("get", "/bien-tap/bai-viet/1/cach-doc"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_anonymous_requests_are_sent_to_the_login_form(app, method, path):
    response = getattr(app.test_client(), method)(path)
    assert response.status_code == 302 and response.location.startswith("/bien-tap/dang-nhap")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_account_without_a_newsroom_role_is_refused(app, method, path):
    client = logged_in(app, "khach", EDITOR)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "khach").values(role="khach"))
        db.session.commit()
    response = post(client, path) if method == "post" else client.get(path)
    assert response.status_code == 403
    assert "không có quyền" in response.get_data(as_text=True)
    assert _entries(app) == []


def test_a_form_without_its_csrf_token_changes_nothing(app, editor):
    response = editor.post("/bien-tap/tu-dien", data={"viet": UNKNOWN, "doc": SPOKEN, "loai": ""})
    assert response.status_code == 400 and "Biểu mẫu này đã cũ" in response.get_data(as_text=True)
    assert _entries(app) == [] and _actions(app) == []


# The page: add, change, delete, audited

def test_adding_changing_and_deleting_an_entry_is_audited_and_in_force_at_once(app, editor, queue):
    article_id = _article(app, "nam", f"<p>Hội nghị {UNKNOWN} họp.</p>")
    assert _segments(app, article_id)[1] == f"Hội nghị {UNKNOWN} họp."
    response = _add(editor, UNKNOWN, SPOKEN)
    assert response.status_code == 302
    assert _entries(app) == [(UNKNOWN, SPOKEN, "", "", "bientap")]
    assert _segments(app, article_id)[1] == f"Hội nghị {SPOKEN} họp."
    page = editor.get(f"/bien-tap/tu-dien?q={UNKNOWN.lower()}").get_data(as_text=True)
    assert SPOKEN in page and "bientap" in page and "Nghe thử" in page

    with app.app_context():
        entry_id = db.session.execute(sa.select(LexiconEntry.id)).scalar_one()
    form = editor.get(f"/bien-tap/tu-dien/{entry_id}").get_data(as_text=True)
    assert f'value="{SPOKEN}"' in form
    response = post(editor, f"/bien-tap/tu-dien/{entry_id}", {"viet": UNKNOWN, "doc": "phòng nấm", "loai": ""})
    assert response.status_code == 302
    assert _segments(app, article_id)[1] == "Hội nghị phòng nấm họp."

    response = post(editor, f"/bien-tap/tu-dien/{entry_id}/xoa")
    assert response.status_code == 302 and _entries(app) == []
    assert _segments(app, article_id)[1] == f"Hội nghị {UNKNOWN} họp."
    assert _actions(app) == [
        ("lexicon_added", "bientap", f"{UNKNOWN} → {SPOKEN}"),
        ("lexicon_edited", "bientap", f"{UNKNOWN} → phòng nấm"),
        ("lexicon_deleted", "bientap", f"{UNKNOWN} → phòng nấm"),
    ]


@pytest.mark.parametrize(("fields", "message"), [
    ({"viet": "", "doc": SPOKEN}, "Xin nhập mục này."),
    ({"viet": UNKNOWN, "doc": ""}, "Xin nhập mục này."),
    ({"viet": UNKNOWN, "doc": SPOKEN, "loai": "la"}, "Not a valid choice"),
    ({"viet": UNKNOWN, "doc": SPOKEN, "sau": "|"}, "từ đứng trước, đứng sau"),
], ids=["no written form", "no spoken form", "unknown kind", "empty context"])
def test_a_bad_entry_is_refused_with_a_vietnamese_message(app, editor, fields, message):
    response = post(editor, "/bien-tap/tu-dien", {"loai": "", **fields})
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True)) or "Lựa chọn" in response.get_data(as_text=True)
    assert _entries(app) == []


def test_the_same_entry_twice_is_refused(app, editor, queue):
    assert _add(editor, UNKNOWN, SPOKEN).status_code == 302
    response = _add(editor, UNKNOWN, "khác")
    assert response.status_code == 409 and "đã có trong từ điển" in response.get_data(as_text=True)
    assert _entries(app) == [(UNKNOWN, SPOKEN, "", "", "bientap")]


def test_a_context_entry_reads_one_way_only_next_to_its_words(app, editor, queue):
    assert _add(editor, "BCH", "Ban Chỉ huy biên phòng", sau="Biên phòng").status_code == 302
    with app.app_context():
        table = _speech(app).lexicon.table()
    from services.vietnamese import spoken_form

    assert spoken_form("BCH Biên phòng tỉnh", table).startswith("Ban Chỉ huy biên phòng Biên phòng")
    assert spoken_form("BCH Đoàn xã", table).startswith("Ban Chấp hành")


def test_the_list_is_a_fragment_for_htmx_and_a_page_otherwise(app, editor, queue):
    _add(editor, UNKNOWN, SPOKEN)
    fragment = editor.get("/bien-tap/tu-dien?q=ptnn", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and SPOKEN in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    page = editor.get("/bien-tap/tu-dien?q=ptnn").get_data(as_text=True)
    assert "<html" in page and SPOKEN in page


# Re-made audio

def test_a_change_remakes_the_audio_of_the_articles_it_changes_and_no_other(app, editor, queue, voice):
    changed = _article(app, "co-tu", f"<p>Hội nghị {UNKNOWN} họp.</p>")
    unchanged = _article(app, "khong-co", "<p>Hội nghị nông dân họp.</p>")
    near = _article(app, "gan-giong", f"<p>Hội nghị {UNKNOWN}X họp.</p>")  # holds the letters, not the word
    with app.app_context():
        speech = _speech(app)
        old = speech.version(db.session.get(Article, changed))
        speech.whole_audio(db.session.get(Article, changed))  # the audio listeners have now

    assert _add(editor, UNKNOWN, SPOKEN).status_code == 302
    [change] = queue.jobs
    assert change.task == LEXICON_CHANGE_TASK and change.priority == BACKGROUND
    with app.app_context():
        assert run_job(change) == 1
    remakes = queue.jobs[1:]
    assert [(job.task, job.args, job.priority) for job in remakes] == [(REMAKE_AUDIO_TASK, (changed,), BACKGROUND)]
    assert unchanged not in [job.args[0] for job in remakes] and near not in [job.args[0] for job in remakes]

    with app.app_context():
        article = db.session.get(Article, changed)
        # Until the new audio is whole, the old one is served: one text, never a mix.
        assert speech.version(article) == old and UNKNOWN in speech.segments(article)[1]
        assert speech.newest_version(article) != old
        run_job(remakes[0])
        assert speech.version(article) == speech.newest_version(article) != old
        assert speech.segments(article)[1] == f"Hội nghị {SPOKEN} họp."
        assert speech.cached_whole_audio(article) is not None
    assert f"Hội nghị {SPOKEN} họp." in voice.said


def test_an_entry_that_changes_no_article_queues_no_remake(app, editor, queue):
    _article(app, "khong-co", "<p>Hội nghị nông dân họp.</p>")
    _add(editor, UNKNOWN, SPOKEN)
    with app.app_context():
        assert run_job(queue.jobs[0]) == 0
    assert len(queue.jobs) == 1


# Other processes

def test_another_process_on_the_same_database_hears_the_change_within_its_recheck(app, editor, build_app, tmp_path,
                                                                                   monkeypatch):
    article_id = _article(app, "nam", f"<p>Hội nghị {UNKNOWN} họp.</p>")
    # A second app: the same database and instance folder, its own memory (another worker or host).
    monkeypatch.setenv("CONTENT_VERSION_RECHECK_SECONDS", "0.2")
    builder = build_app(tmp_path, monkeypatch, "sqlite", create_tables=False)
    other = next(builder)
    try:
        assert _segments(other, article_id)[1] == f"Hội nghị {UNKNOWN} họp."
        _add(editor, UNKNOWN, SPOKEN)
        deadline = time.monotonic() + 30  # how long a loaded machine may take; not what is measured
        while _segments(other, article_id)[1] != f"Hội nghị {SPOKEN} họp." and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _segments(other, article_id)[1] == f"Hội nghị {SPOKEN} họp."
    finally:
        next(builder, None)


# TSV in and out

def test_tsv_import_and_export_go_round_unchanged(db_app, tmp_path):
    app = db_app
    source = tmp_path / "tu-dien.tsv"
    source.write_text("# nhận xét\n" + TSV + "dòng hỏng không có tab\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lexicon", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "thêm 4 mục, sửa 0 mục, 0 mục giữ nguyên" in result.output
    exported = tmp_path / "ra.tsv"
    assert runner.invoke(args=["lexicon", "export", str(exported)]).exit_code == 0
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and lines[1:] == TSV.splitlines()
    again = runner.invoke(args=["lexicon", "import", str(exported)])
    assert "thêm 0 mục, sửa 0 mục, 4 mục giữ nguyên" in again.output
    assert runner.invoke(args=["lexicon", "export"]).output == exported.read_text(encoding="utf-8")
    assert ("lexicon_imported", "(dòng lệnh)", "tu-dien.tsv") in _actions(app)


def test_the_page_imports_a_file_and_exports_the_same_format(app, editor, queue):
    import io

    response = editor.post("/bien-tap/tu-dien/nhap", data={
        "csrf_token": token(editor, "/bien-tap/"), "file": (io.BytesIO(TSV.encode("utf-8")), "tu-dien.tsv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(_entries(app)) == 4 and {entry[4] for entry in _entries(app)} == {"bientap"}
    assert ("lexicon_imported", "bientap", "tu-dien.tsv") in _actions(app)
    export = editor.get("/bien-tap/tu-dien/tu-dien.tsv")
    assert export.mimetype == "text/tab-separated-values" and "attachment" in export.headers["Content-Disposition"]
    assert export.get_data(as_text=True).splitlines()[1:] == TSV.splitlines()


# The old file, once

@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_old_lexicon_file_is_imported_once_on_upgrade(build_app, tmp_path, monkeypatch, backend):
    builder = build_app(tmp_path, monkeypatch, backend, create_tables=False)
    site = next(builder)
    try:
        runner = site.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade", "0004_view_batches"]).exit_code == 0
        old_file = Path(site.config["ABBREVIATIONS_FILE"])
        old_file.write_text(TSV + "ĐTĐL\tĐoàn Đồng Lâm\n", encoding="utf-8")  # a later line wins, as it did
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        rows = [entry[:4] for entry in _entries(site)]
        assert ("ĐTĐL", "Đoàn Đồng Lâm", "", "") in rows and len(rows) == 4
        assert ("BCH", "Ban Chỉ huy biên phòng", "", "next=Biên phòng|BP") in rows
        # Once: the file is no longer read, and upgrading again adds nothing.
        old_file.write_text("MỚI\tmới thêm\n", encoding="utf-8")
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert len(_entries(site)) == 4
        with site.app_context():
            from services.vietnamese import spoken_form

            table = _speech(site).lexicon.table()
            assert spoken_form("ĐTĐL và MỚI", table) == "Đoàn Đồng Lâm và MỚI"
    finally:
        next(builder, None)


# Kiểm tra cách đọc and Nghe thử

def test_the_check_panel_flags_an_unknown_capital_with_a_prefilled_add_link(app, editor):
    article_id = _article(app, "nam", f"<p>Trường PTDTBT và {UNKNOWN} nhận 1/16 suất.</p>")
    for path in (f"/bien-tap/bai-viet/{article_id}/cach-doc", f"/bien-tap/bai-viet/{article_id}",
                 f"/bien-tap/bai-viet/{article_id}/xem-truoc"):
        page = html.unescape(editor.get(path).get_data(as_text=True))
        assert "Kiểm tra cách đọc" in page, path
        panel = page[page.index('id="cach-doc"'):]
        doubt = re.search(r'<li class="doubt doubt-capitals"><strong>' + UNKNOWN + r"</strong>.*?</li>", panel, re.S)
        assert doubt, panel[:3000]
        assert f'href="/bien-tap/tu-dien?viet={UNKNOWN}&loai=#them-muc"' in doubt.group(0)
        assert "/bien-tap/tu-dien/nghe-thu.mp3?cau=" in doubt.group(0)
        assert "phổ thông dân tộc bán trú" in panel and "từ điển: PTDTBT" in panel  # a change and its entry
        assert re.search(r'doubt-guessed"><strong>1/16</strong>', panel)  # a slash it had to guess
        assert "doubt-capitals\"><strong>PTDTBT" not in panel
    form = html.unescape(editor.get(f"/bien-tap/tu-dien?viet={UNKNOWN}&loai=").get_data(as_text=True))
    assert re.search(r'<input[^>]*id="viet"[^>]*value="' + UNKNOWN + '"', form)


def test_the_check_panel_never_reaches_a_readers_page(app, editor):
    article_id = _article(app, "nam", f"<p>Hội nghị {UNKNOWN} họp.</p>")
    editor.get(f"/bien-tap/bai-viet/{article_id}/xem-truoc")
    page = app.test_client().get("/bai-viet/nam").get_data(as_text=True)
    assert "Kiểm tra cách đọc" not in page and "nghe-thu.mp3" not in page


def test_nghe_thu_speaks_an_entry_in_a_short_sentence_through_the_sites_narrator(app, editor, voice):
    response = editor.get(f"/bien-tap/tu-dien/nghe-thu.mp3?viet={UNKNOWN}&doc={SPOKEN}&loai=")
    for _ in range(20):
        if response.status_code != 202:
            break
        response = editor.get(f"/bien-tap/tu-dien/nghe-thu.mp3?viet={UNKNOWN}&doc={SPOKEN}&loai=")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert voice.said == [f"Từ điển đọc: {SPOKEN}."]  # heard before it is even saved
    assert _entries(app) == []
    sentence = editor.get(f"/bien-tap/tu-dien/nghe-thu.mp3?cau=Hội nghị {UNKNOWN}.")
    for _ in range(20):
        if sentence.status_code != 202:
            break
        sentence = editor.get(f"/bien-tap/tu-dien/nghe-thu.mp3?cau=Hội nghị {UNKNOWN}.")
    assert sentence.status_code == 200 and voice.said[-1] == f"Hội nghị {UNKNOWN}."
    refused = editor.get("/bien-tap/tu-dien/nghe-thu.mp3?viet=&doc=")
    assert refused.status_code == 400 and "Cần cả cách viết và cách đọc" in refused.get_data(as_text=True)


def test_the_articles_an_entry_may_change_and_the_search_work_on_each_engine(db_app):
    from services.newsroom.lexicon import candidate_articles, find_entries, import_tsv

    holding = _article(db_app, "co-tu", f"<p>Hội nghị {UNKNOWN.lower()} họp.</p>")
    titled = _article(db_app, "tieu-de", "<p>Không có.</p>")
    _article(db_app, "khong-co", "<p>Hội nghị nông dân họp.</p>")
    with db_app.app_context():
        db.session.get(Article, titled).title = f"Tin {UNKNOWN}"
        db.session.commit()
        found = db.session.execute(candidate_articles([UNKNOWN, "ĐTĐL"])).scalars().all()
        assert sorted(article.id for article in found) == sorted([holding, titled])  # any case, title or body
        import_tsv(TSV, "test")
        db.session.commit()
        written = lambda words: [row.written for row in db.session.execute(find_entries(words)).scalars()]  # noqa: E731
        assert written("dong lam") == ["ĐTĐL"]  # without diacritics, in the spoken form
        assert written("wi") == ["Wifi"] and written("") == ["BCH", "CT", "ĐTĐL", "Wifi"]
