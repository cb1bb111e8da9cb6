"""Who is looking at a page: the signed-in user from the session cookie, and CSRF protection.

The cookie holds the same JWT the API issues (:mod:`service.api.security`), HTTP-only and
SameSite=Lax, so pages and API share one notion of a session. Every POST form carries a CSRF
token derived from that JWT with an HMAC ("mã chống giả mạo yêu cầu"): a page of another site
cannot read it, so it cannot forge a form post with the user's cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request
from sqlmodel import Session, select

from service.actors import Actor
from service.api.deps import SessionDep, SettingsDep
from service.api.security import subject_of
from service.api.settings import ApiSettings
from service.models import User
from service.users import actor_of

COOKIE = "tdkt_session"


class LoginRequired(Exception):
    """Raised by page dependencies when nobody (or a disabled account) is signed in."""

    def __init__(self, next_url: str) -> None:
        self.login_url = f"/web/login?next={quote(next_url, safe='')}"


class CsrfRefused(Exception):
    pass


def token_of(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def user_of(request: Request, session: Session, settings: ApiSettings) -> User | None:
    token = token_of(request)
    username = subject_of(token, settings) if token else None
    if username is None:
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    return user if user is not None and user.active else None


def csrf_token(token: str, settings: ApiSettings) -> str:
    return hmac.new(settings.jwt_secret.encode(), b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


def page_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    user = user_of(request, session, settings)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else "/web/")
    request.state.user = user
    request.state.csrf = csrf_token(token_of(request) or "", settings)
    return user


PageUser = Annotated[User, Depends(page_user)]


def page_actor(user: PageUser) -> Actor:
    return actor_of(user)


PageActor = Annotated[Actor, Depends(page_actor)]


def checked_csrf(request: Request, settings: SettingsDep, user: PageUser,
                 csrf: Annotated[str, Form(max_length=128)] = "") -> User:
    """A POST dependency: the form's token must match the session's."""
    expected = csrf_token(token_of(request) or "", settings)
    if not hmac.compare_digest(expected, csrf):
        raise CsrfRefused()
    return user


FormUser = Annotated[User, Depends(checked_csrf)]


def form_actor(user: FormUser) -> Actor:
    return actor_of(user)


FormActor = Annotated[Actor, Depends(form_actor)]


def safe_next(target: str | None) -> str:
    """Only same-site paths under /web may follow a sign-in (no open redirect)."""
    if target and target.startswith("/web") and not target.startswith("//"):
        return target
    return "/web/"
