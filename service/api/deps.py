"""Request dependencies: the database session, the signed-in user and their actor."""

from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam
from sqlmodel import Session, select

from service.actors import Actor
from service.api.errors import ApiError
from service.api.security import subject_of
from service.api.settings import ApiSettings, get_api_settings
from service.models import User
from service.users import actor_of

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[ApiSettings, Depends(get_api_settings)]

_UNAUTHENTICATED = ApiError(
    401, "not_authenticated", "Bạn cần đăng nhập (hoặc phiên đăng nhập đã hết hạn).",
    "Sign in first (or your session expired).", headers={"WWW-Authenticate": "Bearer"},
)


# Built once: every request signs in by it, and building the query cost more than running it.
_USER_BY_NAME = select(User).where(User.username == bindparam("username"))  # type: ignore[arg-type]


def current_user(session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2)]) -> User:
    username = subject_of(token, settings) if token else None
    if username is None:
        raise _UNAUTHENTICATED
    user = session.execute(_USER_BY_NAME, {"username": username}).scalars().first()
    if user is None or not user.active:
        raise _UNAUTHENTICATED
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def current_actor(user: CurrentUser) -> Actor:
    return actor_of(user)


ActorDep = Annotated[Actor, Depends(current_actor)]


def require_roles(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency refusing (403) users whose role is not one of ``roles``."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise ApiError(
                403, "forbidden_role", "Vai trò của bạn không được dùng chức năng này.",
                f"Your role ({user.role}) may not use this function.", {"allowed_roles": list(roles)},
            )
        return user

    return Depends(check)
