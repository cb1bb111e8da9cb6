"""Idempotent POSTs: the first answer to a request with an ``Idempotency-Key`` is kept and
replayed for repeats, so a retried request creates nothing new.

The key is reserved (a row with status 0) in its own transaction before the action runs: a
concurrent duplicate hits the unique constraint and is told the first one is in progress. If
the action fails (an error, or a 5xx answer), the key is released: nothing was done, so the
client may retry with it. A crash between the action's commit and the record's update leaves
the key "in progress" (409) rather than risk doing the action twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service.db import write_transaction
from service.errors import InvalidInput, ServiceError
from service.models import IdempotencyRecord


class RequestInProgress(ServiceError):
    http_status = 409


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: Any) -> str:
    raw = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def run_once(session: Session, *, user_id: int, key: str, print_: str, run: Callable[[], StoredResponse]) -> StoredResponse:
    existing = session.exec(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    ).first()
    if existing is None:
        try:
            with write_transaction(session):
                session.add(IdempotencyRecord(user_id=user_id, key=key, fingerprint=print_, status_code=0, response={}))
        except IntegrityError:
            existing = session.exec(
                select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
            ).one()
    if existing is not None:
        if existing.fingerprint != print_:
            raise InvalidInput(
                "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác; hãy dùng khóa mới.",
                "This Idempotency-Key was used for a different request; use a new key.",
            )
        if existing.status_code == 0:
            raise RequestInProgress(
                "Yêu cầu với khóa này đang được xử lý; hãy thử lại sau giây lát.",
                "A request with this key is still being processed; retry shortly.",
            )
        return StoredResponse(existing.status_code, existing.response.get("body"))
    try:
        result = run()
    except BaseException:
        _settle(session, user_id, key, None)
        raise
    _settle(session, user_id, key, result if result.status_code < 500 else None)
    return result


def _settle(session: Session, user_id: int, key: str, result: StoredResponse | None) -> None:
    with write_transaction(session):
        record = session.exec(
            select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
        ).one()
        if result is None:
            session.delete(record)
        else:
            record.status_code = result.status_code
            record.response = {"body": result.body}
            session.add(record)
