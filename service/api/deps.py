"""Request dependencies: the database session, the signed-in user and their actor."""

from __future__ import annotations

from typing import Annotated, AsyncIterator

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool
from sqlalchemy import bindparam
from sqlmodel import Session, select

from service.actors import Actor
from service.api.errors import ApiError
from service.api.security import subject_of
from service.api.settings import ApiSettings, get_api_settings
from service.models import User
from service.users import actor_of
from workflow.roles import Role

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. ``async`` so that FastAPI does not hop to a worker thread to open
    it and again to close it (each hop cost more than a query, bench/findings.md): opening a
    session does no I/O, and closing one that holds no connection does none either. One that
    still holds a connection (a read transaction left open) is closed in a worker thread, since
    giving the connection back rolls the transaction back. Endpoints on the hot path end their
    reads with :func:`release`, in their own thread."""
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


def release(session: Session) -> None:
    """End the session's read transaction now, from the endpoint's worker thread."""
    session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def api_settings() -> ApiSettings:
    """The API's settings (cached). ``async`` because it does no I/O: FastAPI runs a sync
    dependency in its thread pool, a hop per dependency per request (bench/findings.md)."""
    return get_api_settings()


SettingsDep = Annotated[ApiSettings, Depends(api_settings)]

_UNAUTHENTICATED = ApiError(
    401, "not_authenticated", "Bạn cần đăng nhập (hoặc phiên đăng nhập đã hết hạn).",
    "Sign in first (or your session expired).", headers={"WWW-Authenticate": "Bearer"},
)


# Built once: every request signs in by it, and building the query cost more than running it.
_USER_BY_NAME = select(User).where(User.username == bindparam("username"))  # type: ignore[arg-type]


async def token_subject(token: Annotated[str | None, Depends(oauth2)]) -> str:
    """The username of the request's valid bearer token, or 401. ``async``: no I/O. The settings
    are read here rather than declared: every declared dependency costs FastAPI a resolution on
    every request (bench/findings.md)."""
    username = subject_of(token, get_api_settings()) if token else None
    if username is None:
        raise _UNAUTHENTICATED
    return username


TokenSubject = Annotated[str, Depends(token_subject)]


def signed_in_user(session: Session, username: str) -> User:
    """The active user ``username`` (from :func:`token_subject`), or 401. A route on the hot path
    calls it from its own worker thread instead of declaring :data:`CurrentUser`, which would
    take one more thread hop per request."""
    user = session.execute(_USER_BY_NAME, {"username": username}).scalars().first()
    if user is None or not user.active:
        raise _UNAUTHENTICATED
    return user


# Built once, read as a row on the session's connection: an entity loaded through Session.execute
# cost 55 µs of CPU, this 16 µs (measured; the busiest route reads it on every action).
_ACTOR_BY_NAME = select(User.id, User.role, User.unit_code, User.active).where(User.username == bindparam("username"))  # type: ignore[arg-type]


def signed_in_actor(session: Session, username: str) -> tuple[int, Actor]:
    """The id and :class:`Actor` of the active user ``username``, or 401: :func:`signed_in_user`
    for a route that needs no more of the user than who acts."""
    row = session.connection().execute(_ACTOR_BY_NAME, {"username": username}).first()
    if row is None or not row.active:
        raise _UNAUTHENTICATED
    return row.id, Actor(name=username, role=Role(row.role), unit_code=row.unit_code)


def current_user(session: SessionDep, username: TokenSubject) -> User:
    return signed_in_user(session, username)


CurrentUser = Annotated[User, Depends(current_user)]


async def current_actor(user: CurrentUser) -> Actor:  # async: no I/O, no thread hop
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
