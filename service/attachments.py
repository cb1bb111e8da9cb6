"""Evidence attached to a nomination ("tài liệu kèm theo hồ sơ")."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlmodel import Session

from service.actors import Actor
from service.db import write_transaction
from service.errors import Forbidden, InvalidInput, NotFound
from service.models import Attachment, Nomination
from service.scope import can_act_on
from service.transitions import check_version, load_for_update, record_change
from workflow.roles import Role

# The unit may add evidence while the dossier is in its hands.
_OPEN_FOR_UNIT = frozenset({"draft", "returned"})


def add_attachment(
    session: Session, nomination_id: int, *, actor: Actor, filename: str, content_type: str, data: bytes,
    document_kind: str | None = None, expected_version: int | None = None,
) -> Attachment:
    """Attach a file, audited with its SHA-256 on the nomination's chain."""
    if not data:
        raise InvalidInput("Tệp đính kèm rỗng.", "The attached file is empty.")
    with write_transaction(session):
        nomination = load_for_update(session, nomination_id, actor)
        check_version(nomination, expected_version)
        if actor.role not in (Role.SUBMITTER, Role.UNIT_HEAD) or nomination.state not in _OPEN_FOR_UNIT:
            raise Forbidden(
                f"Chỉ đơn vị đề nghị được bổ sung tài liệu, khi hồ sơ #{nomination_id} đang là dự thảo hoặc bị trả lại.",
                f"Only the proposing unit may attach files, while nomination #{nomination_id} is a draft or returned.",
            )
        digest = hashlib.sha256(data).hexdigest()
        attachment = Attachment(
            nomination_id=nomination_id, document_kind=document_kind, filename=filename, content_type=content_type,
            size=len(data), sha256=digest, data=data, uploaded_by=actor.name,
        )
        session.add(attachment)
        session.flush()
        record_change(session, nomination, actor, "attach",
                      {"attachment_id": attachment.id, "filename": filename, "sha256": digest, "size": len(data)})
    return attachment


_TABLE = Attachment.__table__  # type: ignore[attr-defined]
# What lists of attachments show: every column but the file itself (read only on download).
_LIST = (
    sa.select(*(c for c in _TABLE.c if c.name != "data"))
    .where(_TABLE.c.nomination_id == sa.bindparam("nomination_id"))
    .order_by(_TABLE.c.id)
)


def list_attachments(session: Session, nomination: Nomination) -> list[sa.Row]:
    """The nomination's attachments without their bytes."""
    return list(session.connection().execute(_LIST, {"nomination_id": nomination.id}))


def get_attachment(session: Session, attachment_id: int, actor: Actor) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    nomination = session.get(Nomination, attachment.nomination_id) if attachment else None
    if attachment is None or nomination is None or not can_act_on(session, actor, nomination):
        raise NotFound(f"Không tìm thấy tệp #{attachment_id}.", f"Attachment #{attachment_id} was not found.")
    return attachment
