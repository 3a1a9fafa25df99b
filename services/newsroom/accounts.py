"""Newsroom accounts: roles and what each may do, argon2id password hashes, the password policy, logging in."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select

from extensions import db
from models import User, utc_now

# The roles, from least to most: each may do everything the ones before it may.
EDITOR, PUBLISHER, ADMINISTRATOR = "bien-tap", "duyet-bai", "quan-tri"
ROLES = {EDITOR: "Biên tập viên", PUBLISHER: "Duyệt bài", ADMINISTRATOR: "Quản trị"}
_RANK = {EDITOR: 1, PUBLISHER: 2, ADMINISTRATOR: 3}

# What a role is needed for: writing (every role), publishing, administering accounts and the site.
WRITE, PUBLISH, ADMINISTER = EDITOR, PUBLISHER, ADMINISTRATOR

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message is for the administrator."""


def may(user: User | None, needed: str) -> bool:
    """Whether this account's role is enough for what needs the role `needed` (roles are ranked)."""
    return user is not None and user.is_active and _RANK.get(user.role, 0) >= _RANK[needed]


@dataclass(frozen=True)
class PasswordHashing:
    """argon2id, memory-hard; the cost comes from the settings, and a hash made at another cost is
    verified all the same and replaced at the next login."""

    memory_kib: int
    time_cost: int

    @property
    def hasher(self) -> PasswordHasher:
        return _hasher(self.memory_kib, self.time_cost)

    def hash(self, password: str) -> str:
        """A new salted hash of the password."""
        return self.hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        """Whether the password matches the stored hash (False for a damaged hash, never an exception)."""
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether the stored hash was made at another cost than the one in force."""
        try:
            return self.hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


@lru_cache(maxsize=4)
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=4)  # RFC 9106, second choice


@lru_cache(maxsize=4)
def _dummy_hash(memory_kib: int, time_cost: int) -> str:
    return _hasher(memory_kib, time_cost).hash("không phải mật khẩu của ai")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's list (lowercased), loaded on first use."""
    # zxcvbn (Dropbox's password-strength estimator, pinned in requirements.txt) ships the list, ranked by
    # how often each password appears in leaked password sets; using its data keeps the list maintained.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _folded(text: str) -> str:
    """Lowercase without diacritics, so "MậtKhẩu" is seen as "matkhau"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


# Words no newsroom password may be built around, beyond the common list: the site's own.
_SITE_WORDS = ("docbai", "bientap", "quantri", "duyetbai", "toasoan", "admin")
# Words zxcvbn is told to expect besides (it scores a password built on one of them as weak): "mật khẩu".
_EXPECTED_WORDS = (*_SITE_WORDS, "matkhau", "mat khau", "dongbai")


def password_problems(password: str, username: str = "", min_length: int = 10) -> list[str]:
    """Why a password may not be used, in Vietnamese for the person choosing it; [] when it may."""
    problems = []
    if len(password) < min_length:
        problems.append(f"Mật khẩu cần ít nhất {min_length} ký tự.")
    folded = _folded(password)
    core = re.sub(r"[\d\W_]+$", "", folded)  # "password2024!" is "password" with a suffix
    if folded in common_passwords() or core in common_passwords() or len(set(folded)) <= 2:
        problems.append("Mật khẩu này nằm trong danh sách mật khẩu phổ biến nhất, dễ bị đoán. Xin chọn mật khẩu khác.")
    elif _mostly_names(folded, username):
        problems.append("Mật khẩu không được chỉ là tên tài khoản hay tên của trang thêm vài chữ số.")
    elif password and _estimated_strength(password, username) < MIN_STRENGTH:
        problems.append("Mật khẩu này dễ đoán (dãy số, phím liền nhau, từ thông dụng kèm vài chữ số). "
                        "Xin chọn mật khẩu khác: một câu ngắn dễ nhớ là mật khẩu tốt.")
    return problems


def _mostly_names(folded: str, username: str) -> bool:
    """Whether little is left of the password without the account's name and the site's words ("admin2026",
    "bientap@123"); a phrase that merely contains one ("quản trị viên của huyện") is fine."""
    letters = re.sub(r"[\d\W_]+", "", folded)
    names = [word for word in (*_SITE_WORDS, re.sub(r"[\d\W_]+", "", _folded(username))) if word and word in letters]
    for word in names:
        letters = letters.replace(word, "")
    return bool(names) and len(letters) < 6


# zxcvbn's score: 3 means about 10^8 guesses or more, "safely unguessable" against an online attack (and the
# login limits make online the only attack). Vietnamese phrases score 4; "hanoi123456" or a digit run score 1.
MIN_STRENGTH = 3


def _estimated_strength(password: str, username: str) -> int:
    from zxcvbn import zxcvbn

    return zxcvbn(password[:100], user_inputs=[username, *_EXPECTED_WORDS])["score"]


def find_user(username: str) -> User | None:
    """The account with this name (names are kept lowercase), or None."""
    return db.session.execute(select(User).where(User.username == normalized_username(username))).scalar_one_or_none()


def normalized_username(username: str) -> str:
    """The name as kept: trimmed and lowercase."""
    return unicodedata.normalize("NFC", (username or "").strip().lower())


def authenticate(username: str, password: str, hashing: PasswordHashing) -> User | None:
    """The active account whose name and password these are, or None. An unknown name costs a hash too, so
    the answer's time does not say whether the name exists; a hash made at an old cost is replaced."""
    user = find_user(username)
    if user is None:
        hashing.verify(_dummy_hash(hashing.memory_kib, hashing.time_cost), password)
        return None
    if not hashing.verify(user.password_hash, password) or not user.is_active:
        return None
    if hashing.needs_rehash(user.password_hash):
        user.password_hash = hashing.hash(password)
    user.last_login_at = utc_now()
    return user


def create_user(username: str, password: str, role: str, hashing: PasswordHashing, *, display_name: str = "",
                min_length: int = 10) -> User:
    """A new account (added to the session, not committed); AccountError says what is wrong."""
    name = normalized_username(username)
    if not USERNAME.fullmatch(name):
        raise AccountError("Tên tài khoản gồm 2–60 chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới.")
    if role not in ROLES:
        raise AccountError("Vai trò phải là một trong: " + ", ".join(ROLES) + ".")
    if find_user(name) is not None:
        raise AccountError(f"Đã có tài khoản “{name}”.")
    if problems := password_problems(password, name, min_length):
        raise AccountError(" ".join(problems))
    user = User(username=name, display_name=(display_name or "").strip() or name, role=role,
                password_hash=hashing.hash(password))
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str, hashing: PasswordHashing, min_length: int = 10) -> None:
    """A new password; every session of the account ends."""
    if problems := password_problems(password, user.username, min_length):
        raise AccountError(" ".join(problems))
    user.password_hash = hashing.hash(password)
    end_sessions(user)


def set_role(user: User, role: str) -> None:
    """A new role; the account's sessions end, so the new rights apply from its next login."""
    if role not in ROLES:
        raise AccountError("Vai trò không hợp lệ.")
    if user.role == ADMINISTRATOR and role != ADMINISTRATOR and active_administrators() <= 1:
        raise AccountError("Đây là tài khoản quản trị cuối cùng: hãy cấp quyền quản trị cho người khác trước.")
    user.role = role
    end_sessions(user)


def set_disabled(user: User, disabled: bool) -> None:
    """Disable an account (its sessions end at once) or enable it again."""
    if disabled and user.role == ADMINISTRATOR and user.is_active and active_administrators() <= 1:
        raise AccountError("Không khóa được tài khoản quản trị cuối cùng.")
    user.disabled_at = utc_now() if disabled else None
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every session of the account stops loading (its id in them names the old session version)."""
    user.session_version = (user.session_version or 1) + 1


def active_administrators() -> int:
    """How many administrators can still log in."""
    return db.session.execute(
        select(func.count(User.id)).where(User.role == ADMINISTRATOR, User.disabled_at.is_(None))
    ).scalar_one()


def load_session_user(session_id: str) -> User | None:
    """The account a session names ("<id>.<session version>"), if it is active and the version is current."""
    user_id, _, version = (session_id or "").partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def every_user() -> list[User]:
    """Every account, by name."""
    return list(db.session.execute(select(User).order_by(User.username)).scalars())
