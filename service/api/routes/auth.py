"""Sign-in (OAuth2 password flow, so the OpenAPI "Authorize" button works)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from service.api.deps import CurrentUser, SessionDep, SettingsDep
from service.api.errors import ApiError, ErrorResponse
from service.api.schemas import Me, Token
from service.api.security import issue_token
from service.users import authenticate

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token, responses={401: {"model": ErrorResponse}, 429: {"model": ErrorResponse}})
def sign_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, session: SessionDep, settings: SettingsDep) -> Token:
    """Exchange a username and password for an access token."""
    if "\x00" in form.username or "\x00" in form.password:
        raise ApiError(422, "invalid_request", "Tên đăng nhập và mật khẩu không được chứa ký tự NUL.",
                       "The username and password must not contain the NUL character.")
    user = authenticate(
        session, form.username, form.password, client=request.client.host if request.client else "?",
        max_failures=settings.login_max_failures, window=timedelta(minutes=settings.login_window_minutes),
    )
    if user is None:
        raise ApiError(401, "bad_credentials", "Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.",
                       headers={"WWW-Authenticate": "Bearer"})
    token, lifetime = issue_token(user.username, settings)
    return Token(access_token=token, expires_in=lifetime)


@router.get("/me", response_model=Me, responses={401: {"model": ErrorResponse}})
def me(user: CurrentUser) -> Me:
    return Me(username=user.username, full_name=user.full_name, role=user.role, unit_code=user.unit_code)
