"""Access tokens (JWT, HS256) for the OAuth2 password flow."""

from __future__ import annotations

import functools
import time
from datetime import datetime, timedelta, timezone

import jwt

from service.api.settings import ApiSettings

ALGORITHM = "HS256"


def issue_token(username: str, settings: ApiSettings, now: datetime | None = None) -> tuple[str, int]:
    now = now or datetime.now(timezone.utc)
    lifetime = timedelta(minutes=settings.token_minutes)
    claims = {"sub": username, "iat": int(now.timestamp()), "exp": int((now + lifetime).timestamp())}
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM), int(lifetime.total_seconds())


def subject_of(token: str, settings: ApiSettings) -> str | None:
    """The username of a valid, unexpired token signed by us with HS256; None otherwise.
    ``algorithms=[HS256]`` refuses ``alg: none`` and algorithm-confusion tokens.

    A token's signature is checked once per process and secret (:func:`_verified`, a bounded
    cache: a client sends the same token on every request); its expiry is checked on every use."""
    claims = _verified(token, settings.jwt_secret)
    if claims is None:
        return None
    sub, exp = claims
    return sub if exp > _now() else None


def _now() -> float:
    return time.time()


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[str, float] | None:
    """(subject, expiry) of a well-formed token signed with ``secret``; None otherwise. Expiry is
    not judged here (the caller does, at each use), so a cached answer never outlives it."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"], "verify_exp": False})
    except jwt.PyJWTError:
        return None
    sub, exp = claims.get("sub"), claims.get("exp")
    if not (isinstance(sub, str) and sub) or not isinstance(exp, (int, float)):
        return None
    return sub, float(exp)
