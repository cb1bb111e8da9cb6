"""Sign-in, sign-out and the home page ("việc đang chờ bạn")."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep, SettingsDep
from service.api.security import issue_token
from service.users import TooManyAttempts, authenticate
from service.web.inbox import INBOX_SIZE, cycle_tasks, inbox
from service.web.render import error_message, render
from service.web.session import COOKIE, FormUser, PageActor, PageUser, safe_next, user_of

router = APIRouter(prefix="/web", include_in_schema=False)


# Before sign-in there is no session to bind a CSRF token to: the sign-in form uses a
# double-submit token instead (a random value in a strict cookie and in the form), so another
# site cannot sign a visitor in to an account of its choosing.
LOGIN_COOKIE = "tdkt_login"


def _login_form(request: Request, status: int = 200, **context) -> Response:  # type: ignore[no-untyped-def]
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", status, login_csrf=token, **context)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", path="/web/login",
                        secure=request.url.scheme == "https")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, session: SessionDep, settings: SettingsDep, next: str | None = None) -> Response:
    if user_of(request, session, settings) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, session: SessionDep, settings: SettingsDep,
    username: Annotated[str, Form(max_length=80)], password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/web/",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        return _login_form(request, 403, next=safe_next(next), username=username, error_key="form_expired")
    if "\x00" in username or "\x00" in password:
        return _login_form(request, 422, next=safe_next(next), username="", error_key="bad_credentials")
    try:
        user = authenticate(
            session, username, password, client=request.client.host if request.client else "?",
            max_failures=settings.login_max_failures, window=timedelta(minutes=settings.login_window_minutes),
        )
    except TooManyAttempts as exc:  # the API's rate limit, shared
        return _login_form(request, 429, next=safe_next(next), username=username, error=error_message(request, exc))
    if user is None:
        return _login_form(request, 401, next=safe_next(next), username=username, error_key="bad_credentials")
    token, lifetime = issue_token(user.username, settings)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token, max_age=lifetime, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_COOKIE, path="/web/login")
    return response


@router.post("/logout")
def logout(_: FormUser) -> Response:
    response = RedirectResponse("/web/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: PageUser, actor: PageActor) -> Response:
    return render(request, "home.html", items=inbox(session, actor), tasks=cycle_tasks(session, actor), inbox_size=INBOX_SIZE)
