"""People who sign in ("người dùng"): argon2 password hashes, sign-in with a rate limit."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from service.actors import Actor
from service.db import write_transaction
from service.errors import InvalidInput, ServiceError
from service.models import LoginAttempt, Unit, User, utcnow
from workflow.roles import Role

_hasher = PasswordHasher()
_UNIT_ROLES = frozenset({Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_MEMBER, Role.CLUSTER_HEAD})
# Hash checked when the username is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("tdkt-timing-equaliser")


class TooManyAttempts(ServiceError):
    http_status = 429


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def actor_of(user: User) -> Actor:
    return Actor(name=user.username, role=Role(user.role), unit_code=user.unit_code)


def create_user(
    session: Session, *, username: str, password: str, role: str, full_name: str,
    unit_code: str | None = None, email: str | None = None,
) -> User:
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidInput(f"Vai trò «{role}» không tồn tại.", f"Unknown role {role!r}.") from None
    if parsed in _UNIT_ROLES and not unit_code:
        raise InvalidInput(f"Vai trò «{role}» cần đơn vị.", f"Role {role!r} needs a unit.")
    if len(password) < 8:
        raise InvalidInput("Mật khẩu cần ít nhất 8 ký tự.", "The password needs at least 8 characters.")
    with write_transaction(session):
        if unit_code and session.get(Unit, unit_code) is None:
            raise InvalidInput(f"Không có đơn vị «{unit_code}».", f"There is no unit {unit_code!r}.")
        if session.exec(select(User).where(User.username == username)).first() is not None:
            raise InvalidInput(f"Tên đăng nhập «{username}» đã có.", f"Username {username!r} is taken.")
        user = User(username=username, full_name=full_name, email=email, password_hash=hash_password(password),
                    role=parsed.value, unit_code=unit_code)
        session.add(user)
    return user


def authenticate(
    session: Session, username: str, password: str, *, client: str, max_failures: int, window: timedelta
) -> User | None:
    """The active user with these credentials, or None. Refuses (429) after ``max_failures``
    failed attempts for the username within ``window``; every attempt is recorded."""
    with write_transaction(session):
        since = utcnow() - window
        failures = session.exec(
            select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.username == username, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)  # type: ignore[union-attr]
            )
        ).one()
        if failures >= max_failures:
            raise TooManyAttempts(
                "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.",
                "Too many failed sign-ins; try again in a few minutes.",
            )
        user = session.exec(select(User).where(User.username == username)).first()
        ok = _verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None and user.active
        session.add(LoginAttempt(username=username[:80], client=client[:64], succeeded=ok))
    return user if ok else None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
