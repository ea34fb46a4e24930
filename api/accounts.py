"""Staff sign-in: accounts from a file the operator controls, sessions, CSRF tokens.

* Accounts: ``ZDG_ACCOUNTS`` names a file with one line per person, ``username:hash``, where the
  hash is ``scrypt$n$r$p$salt$key`` (:func:`hash_password`, hashlib.scrypt with a random salt
  of 16 bytes). ``zdg account add NAME`` writes a line after asking for the password twice; no
  clear password is ever stored, logged or echoed. The file is re-read when it changes, so the
  operator adds or removes a person without a restart.
* Sessions live in this process's memory, keyed by the SHA-256 of the cookie value (a leaked
  dump of the table holds no usable cookie). The cookie ``zdg_session`` is HttpOnly,
  SameSite=Strict, Secure when the request came over https, and ends after
  ``ZDG_SESSION_MINUTES`` (default 60) counted from sign-in: the server checks the expiry
  itself, whatever the browser keeps.
* CSRF: every session has its own token; each form carries it (hidden field ``csrf``) and each
  script call sends it (header ``X-CSRF-Token``); every state-changing request made with the
  cookie is refused (403) without it. The sign-in form has its own token in a short-lived
  cookie (double submit), so no one can sign a browser in behind its user's back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from api.problems import Problem

SESSION_COOKIE = "zdg_session"
LOGIN_COOKIE = "zdg_login"
CSRF_HEADER = "x-csrf-token"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
#: scrypt cost: 2**14 blocks of 8 x 128 bytes = 16 MiB per check, ~50 ms on this machine.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MAX_PASSWORD = 1024
#: Failed sign-ins per username before a pause (against guessing).
MAX_FAILURES, FAILURE_WINDOW = 5, 300.0


class AccountError(ValueError):
    """A username or password that cannot be used, or an unreadable accounts file."""


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of ``password``: ``scrypt$n$r$p$salt$key`` (base64), never the password.

    >>> h = hash_password("geheim", salt=b"0" * 16)
    >>> h.startswith("scrypt$16384$8$1$") and "geheim" not in h
    True
    >>> verify_password("geheim", h), verify_password("Geheim", h)
    (True, False)
    """
    if not password:
        raise AccountError("the password must not be empty")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must be at most {MAX_PASSWORD} characters")
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison of the keys)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt" or len(password) > MAX_PASSWORD:
            return False
        expected = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected), maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_username(name: str) -> str:
    """``name`` if it can be a username (lower case letters, digits, ``.``, ``_``, ``-``)."""
    if not USERNAME.match(name):
        raise AccountError("a username is 1-32 characters: lower-case letters, digits, '.', '_' or '-' "
                           "(starting with a letter or digit)")
    return name


def accounts_path() -> Path | None:
    """The accounts file named by ``ZDG_ACCOUNTS`` (None: no one can sign in)."""
    value = os.environ.get("ZDG_ACCOUNTS", "")
    return Path(value) if value else None


def read_accounts(path: Path) -> dict[str, str]:
    """username -> stored hash; blank lines and ``#`` comments are skipped."""
    found: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, stored = line.partition(":")
        if not sep or not USERNAME.match(name) or not stored.startswith("scrypt$"):
            raise AccountError(f"{path}, line {number}: not 'username:scrypt$...'")
        found[name] = stored
    return found


def add_account(path: Path, name: str, password: str) -> bool:
    """Add ``name`` (or replace its password) in the file at ``path``; True if it was new.

    The file is written to a temporary file and renamed, readable by its owner only.
    """
    check_username(name)
    stored = hash_password(password)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if line.partition(":")[0].strip() != name]
    new = len(kept) == len(lines)
    kept.append(f"{name}:{stored}")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(kept) + "\n")
    os.replace(tmp, path)
    return new


def session_minutes() -> float:
    try:
        return max(0.05, float(os.environ.get("ZDG_SESSION_MINUTES", "60")))
    except ValueError:
        return 60.0


@dataclass(frozen=True)
class Session:
    user: str
    csrf: str
    expires: float  # time.time()


@dataclass(frozen=True)
class Actor:
    """Who makes a write: a signed-in person (``kind="staff"``) or a tool with the API token."""

    name: str
    kind: str  # "staff" | "token"


def _key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8", "surrogateescape")).hexdigest()


class Sessions:
    """The signed-in sessions of this process, and the failed sign-ins per username."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, Session] = {}
        self._failures: dict[str, list[float]] = {}

    def start(self, user: str) -> tuple[str, Session]:
        cookie = secrets.token_urlsafe(32)
        session = Session(user, secrets.token_urlsafe(32), time.time() + session_minutes() * 60)
        with self._lock:
            now = time.time()
            self._by_key = {k: s for k, s in self._by_key.items() if s.expires > now}
            self._by_key[_key(cookie)] = session
        return cookie, session

    def get(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        with self._lock:
            session = self._by_key.get(_key(cookie))
            if session is not None and session.expires <= time.time():
                del self._by_key[_key(cookie)]
                return None
        return session

    def end(self, cookie: str | None) -> None:
        if cookie:
            with self._lock:
                self._by_key.pop(_key(cookie), None)

    def blocked(self, user: str) -> bool:
        now = time.time()
        with self._lock:
            recent = [t for t in self._failures.get(user, []) if now - t < FAILURE_WINDOW]
            if recent:
                self._failures[user] = recent
            else:
                self._failures.pop(user, None)
            return len(recent) >= MAX_FAILURES

    def failed(self, user: str) -> None:
        if not USERNAME.match(user):
            return  # no such account can exist: nothing to throttle, nothing to remember
        with self._lock:
            now = time.time()
            if len(self._failures) > 10000:  # bounded memory whatever names are tried
                recent = sorted(((ts[-1], u) for u, ts in self._failures.items() if ts and now - ts[-1] < FAILURE_WINDOW),
                                reverse=True)[:5000]
                self._failures = {u: self._failures[u] for _, u in recent}
            self._failures.setdefault(user, []).append(now)


def sessions(request: Request) -> Sessions:
    state = request.app.state
    if not hasattr(state, "sessions"):
        state.sessions = Sessions()
    return state.sessions


def authenticate(name: str, password: str) -> bool:
    """Whether ``name`` with ``password`` is an account of the accounts file (same work either way)."""
    path = accounts_path()
    try:
        known = read_accounts(path) if path is not None else {}
    except (OSError, AccountError):
        known = {}
    # An unknown name costs one scrypt as well, so timing does not tell which names exist.
    stored = known.get(name) or hash_password("x", salt=b"\0" * 16)
    return verify_password(password, stored) and name in known


def current_session(request: Request) -> Session | None:
    return sessions(request).get(request.cookies.get(SESSION_COOKIE))


def cookie_flags(request: Request) -> dict:
    """The attributes every cookie of ours has: HttpOnly, SameSite=Strict, Secure over https."""
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}


def csrf_ok(session: Session, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(given.encode("utf-8", "surrogateescape"), session.csrf.encode())


async def require_writer(request: Request) -> Actor:
    """FastAPI dependency for every write: the API token (tools) or a signed-in person whose
    request carries the session's CSRF token in ``X-CSRF-Token``."""
    if request.headers.get("authorization"):
        from api.auth import require_token

        await require_token(request)
        return Actor("api-client", "token")
    session = current_session(request)
    if session is None:
        raise Problem(401, "Sign in (/edit/login) or send the API's bearer token.", type_="unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="zukunftsdialog"'})
    if not csrf_ok(session, request.headers.get(CSRF_HEADER)):
        raise Problem(403, "The request lacks this session's CSRF token (X-CSRF-Token).", type_="csrf")
    return Actor(session.user, "staff")
