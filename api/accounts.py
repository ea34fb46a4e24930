"""Staff sign-in: accounts from a file the operator controls, sessions, CSRF tokens.

* Accounts: ``ZDG_ACCOUNTS`` names a file with one line per person, ``username:hash``, where the
  hash is ``scrypt$n$r$p$salt$key`` (:func:`hash_password`, hashlib.scrypt with a random salt
  of 16 bytes). ``zdg account add NAME`` writes a line after asking for the password twice; no
  clear password is ever stored, logged or echoed. The file is re-read when it changes, so the
  operator adds or removes a person without a restart.
* Sessions are signed cookies (:class:`Sessions`): HMAC-SHA256 under a server secret from
  ``ZDG_SESSION_SECRET`` or a file next to the store (``<store>.session-secret``, made once),
  so every worker and a restarted server know them; signing out raises the account's session
  generation, which ends its sessions everywhere. The cookie ``zdg_session`` is HttpOnly,
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
import json
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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _secret_file(location: str | None) -> Path | None:
    """Where the server secret is kept: next to an on-disk store (``<store>.session-secret``;
    not inside it, which belongs to the database); None for a memory or remote store."""
    if not location or location == "memory" or location.startswith(("http://", "https://")):
        return None
    path = Path(location)
    return path.with_name(path.name + ".session-secret")


def load_secret(location: str | None) -> tuple[bytes, Path | None]:
    """The secret that signs session cookies: ``ZDG_SESSION_SECRET`` if set (at least 32
    characters), else the store's secret file (made once, 32 random bytes, owner-only), else a
    secret of this process (then a restart signs everyone out). Also the folder for the
    per-account session generations (None: kept in memory)."""
    env = os.environ.get("ZDG_SESSION_SECRET", "")
    path = _secret_file(location)
    if len(env) >= 32:
        return env.encode("utf-8"), path
    if path is None:
        return secrets.token_bytes(32), None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:  # the first process writes it; the others (and later starts) read it
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    for _ in range(50):  # another worker may be writing it this very moment
        data = path.read_bytes()
        if len(data) == 32:
            return data, path
        time.sleep(0.02)
    raise AccountError(f"{path}: not a session secret (32 bytes)")


class Sessions:
    """Signed, expiring session cookies (valid in every worker and after a restart), and the
    failed sign-ins per username (per process).

    A cookie is ``base64(json [user, expires, generation, nonce]) . HMAC-SHA256`` under the
    server secret: nothing to look up, so ``zdg serve --workers N`` shares it. Signing out
    raises the account's *generation* (a small file next to the secret), which ends every
    session of that account at once; the CSRF token is the HMAC of the session's nonce."""

    def __init__(self, location: str | None = None) -> None:
        self._lock = threading.Lock()
        self._secret, secret_path = load_secret(location)
        self._generations_path = secret_path.with_name(secret_path.name.replace(".session-secret", ".session-generations")) \
            if secret_path is not None else None
        self._generations: dict[str, int] = {}
        self._generations_seen: float | None = None
        self._failures: dict[str, list[float]] = {}

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def _generation(self, user: str) -> int:
        path = self._generations_path
        if path is None:
            return self._generations.get(user, 0)
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0
        with self._lock:
            if mtime != self._generations_seen:
                try:
                    self._generations = {k: int(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
                except (OSError, ValueError):
                    return 1 << 62  # unreadable: no session is valid until it is repaired
                self._generations_seen = mtime
            return self._generations.get(user, 0)

    def _raise_generation(self, user: str) -> None:
        path = self._generations_path
        if path is None:
            with self._lock:
                self._generations[user] = self._generations.get(user, 0) + 1
            return
        import fcntl

        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # workers raise generations one at a time
            try:
                known = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                known = {}
            known[user] = int(known.get(user, 0)) + 1
            tmp = path.with_name(path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(known, f)
            os.replace(tmp, path)

    def _session(self, user: str, expires: float, nonce: str) -> Session:
        return Session(user, _b64(self._mac(b"csrf|" + nonce.encode("ascii"))), expires)

    def start(self, user: str) -> tuple[str, Session]:
        expires = time.time() + session_minutes() * 60
        nonce = secrets.token_urlsafe(18)
        payload = json.dumps([user, expires, self._generation(user), nonce], separators=(",", ":")).encode("utf-8")
        return f"{_b64(payload)}.{_b64(self._mac(payload))}", self._session(user, expires, nonce)

    def _payload(self, cookie: str | None) -> tuple[str, float, int, str] | None:
        if not cookie or len(cookie) > 1000 or cookie.count(".") != 1:
            return None
        body, mac = cookie.split(".")
        try:
            payload, given = _unb64(body), _unb64(mac)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(given, self._mac(payload)):
            return None
        try:
            user, expires, generation, nonce = json.loads(payload)
        except (ValueError, TypeError):
            return None
        return str(user), float(expires), int(generation), str(nonce)

    def get(self, cookie: str | None) -> Session | None:
        found = self._payload(cookie)
        if found is None:
            return None
        user, expires, generation, nonce = found
        if expires <= time.time() or generation != self._generation(user):
            return None
        return self._session(user, expires, nonce)

    def end(self, cookie: str | None) -> None:
        found = self._payload(cookie)
        if found is not None:
            self._raise_generation(found[0])

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
        store = getattr(state, "store", None)
        state.sessions = Sessions(getattr(store, "location", None))
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
    session = sessions(request).get(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    # A person the operator removed from the accounts file is signed out at once.
    path = accounts_path()
    try:
        known = read_accounts(path) if path is not None else {}
    except (OSError, AccountError):
        known = {}
    return session if session.user in known else None


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
