"""Access tokens (JWT, HS256) for the OAuth2 password flow."""

from __future__ import annotations

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
    ``algorithms=[HS256]`` refuses ``alg: none`` and algorithm-confusion tokens."""
    try:
        claims = jwt.decode(token, settings.jwt_secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) and sub else None
