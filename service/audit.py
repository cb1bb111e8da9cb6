"""The tamper-evident audit trail ("nhật ký kiểm toán").

Entries form one hash chain per aggregate (``nomination:12``): each entry's HMAC covers its own
fields and the previous entry's hash, so editing, deleting, reordering or inserting an entry
breaks the chain at that point. An HMAC (not a bare hash) means someone with write access to the
database but not the key cannot recompute a consistent chain. Verification also compares each
chain's length and last state with the nomination row, which catches a deleted last entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from config.settings import get_settings
from service.actors import Actor
from service.models import AuditEntry, Nomination, utcnow

GENESIS = "0" * 64
_TABLE = AuditEntry.__table__  # type: ignore[attr-defined]
_PREV_HASH = sa.select(_TABLE.c.hash).where(_TABLE.c.chain == sa.bindparam("chain"), _TABLE.c.seq == sa.bindparam("seq"))
_INSERT = _TABLE.insert()


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _digest(entry: AuditEntry, keys: dict[str, str]) -> str:
    return _digest_of(
        entry.chain, entry.seq, entry.at, entry.actor, entry.role, entry.action, entry.from_state, entry.to_state,
        entry.reason, entry.payload, entry.prev_hash, entry.key_id, keys,
    )


def _digest_of(
    chain: str, seq: int, at: datetime, actor: str, role: str, action: str, from_state: str | None,
    to_state: str | None, reason: str | None, payload: str, prev_hash: str, key_id: str, keys: dict[str, str],
) -> str:
    key = keys.get(key_id)
    if key is None:
        return ""  # unknown key id: cannot match, reported as a broken link
    body = canonical_json(
        {
            "chain": chain,
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "actor": actor,
            "role": role,
            "action": action,
            "from": from_state,
            "to": to_state,
            "reason": reason,
            "payload": payload,
            "prev": prev_hash,
            "key": key_id,
        }
    )
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def nomination_chain(nomination_id: int) -> str:
    return f"nomination:{nomination_id}"


def append(
    session: Session,
    *,
    chain: str,
    seq: int,
    actor: Actor,
    action: str,
    from_state: str | None,
    to_state: str | None,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
    prev_hash: str | None = None,
) -> str:
    """Add the entry ``seq`` of ``chain`` and return its hash. The caller holds the aggregate's
    row lock or version, so ``seq`` (= the aggregate's new version) is never taken twice; the
    unique (chain, seq) constraint backs that up.

    The entry is written at once with a Core INSERT in the caller's transaction (a savepoint's
    rollback undoes it too): it is never read back as an object, and building an ORM instance
    and flushing it cost more than the rest of the append (``bench/findings.md``).

    ``prev_hash``: the hash of entry ``seq - 1`` if the caller read it already (under the same
    lock); otherwise it is read here."""
    connection = session.connection()
    if seq > 1 and prev_hash is None:
        prev = connection.execute(_PREV_HASH, {"chain": chain, "seq": seq - 1}).scalar()
        prev_hash = prev if prev is not None else GENESIS
    row = entry_row(chain=chain, seq=seq, actor=actor, action=action, from_state=from_state, to_state=to_state,
                    reason=reason, payload=payload, at=at, prev_hash=prev_hash or GENESIS)
    connection.execute(_INSERT, row)
    return row["hash"]


def entry_row(
    *,
    chain: str,
    seq: int,
    actor: Actor,
    action: str,
    from_state: str | None,
    to_state: str | None,
    reason: str | None,
    payload: dict[str, Any] | None,
    at: datetime | None,
    prev_hash: str,
) -> dict[str, Any]:
    """The columns of entry ``seq`` of ``chain``, its HMAC included, linked to ``prev_hash`` (the
    hash of entry ``seq - 1``; the first entry links to :data:`GENESIS`). For a caller that
    writes the entry itself, in one statement with other writes (``service.transition_write``)."""
    settings = get_settings()
    row = dict(
        chain=chain,
        seq=seq,
        at=at or utcnow(),
        actor=actor.name,
        role=actor.role.value,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=canonical_json(payload or {}),
        key_id=settings.audit_key_id,
        prev_hash=GENESIS if seq == 1 else prev_hash,
    )
    row["hash"] = _digest_of(**row, keys=settings.audit_keys)
    return row


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    seq: int | None
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry id={self.entry_id} (seq {self.seq})" if self.entry_id is not None else f"seq {self.seq}"
        return f"{self.chain}: {where}: {self.problem}"


def _chains(entries: Iterable[AuditEntry]) -> Iterator[tuple[str, list[AuditEntry]]]:
    chain: str | None = None
    bucket: list[AuditEntry] = []
    for entry in entries:
        if entry.chain != chain and bucket:
            yield chain, bucket  # type: ignore[misc]
            bucket = []
        chain = entry.chain
        bucket.append(entry)
    if bucket:
        yield chain, bucket  # type: ignore[misc]


def verify_chain(chain: str, entries: list[AuditEntry], keys: dict[str, str]) -> BrokenLink | None:
    """The first broken link of one chain (entries ordered by seq), or None."""
    prev_hash = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                problem = f"entry seq {expected_seq} is missing (deleted?)"
            else:
                problem = f"out of order: seq {entry.seq} where {expected_seq} was expected"
            return BrokenLink(chain, entry.seq, entry.id, problem)
        if entry.prev_hash != prev_hash:
            return BrokenLink(chain, entry.seq, entry.id, "does not link to the previous entry (reordered or inserted?)")
        if not hmac.compare_digest(entry.hash, _digest(entry, keys)):
            return BrokenLink(chain, entry.seq, entry.id, "content does not match its signature (edited?)")
        prev_hash = entry.hash
    return None


def verify_all(session: Session) -> list[BrokenLink]:
    """Recompute every chain; also check each nomination's version and state against its chain."""
    keys = get_settings().audit_keys
    problems: list[BrokenLink] = []
    tails: dict[str, AuditEntry] = {}
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.chain, AuditEntry.seq, AuditEntry.id))
    for chain, entries in _chains(rows.yield_per(1000) if hasattr(rows, "yield_per") else rows):
        broken = verify_chain(chain, entries, keys)
        if broken:
            problems.append(broken)
        tails[chain] = entries[-1]
    for nomination in session.exec(select(Nomination.id, Nomination.version, Nomination.state)):
        chain = nomination_chain(nomination.id)
        tail = tails.get(chain)
        if tail is None:
            problems.append(BrokenLink(chain, None, None, "the nomination has no audit entries"))
        elif tail.seq != nomination.version:
            problems.append(
                BrokenLink(
                    chain,
                    tail.seq,
                    tail.id,
                    f"chain ends at seq {tail.seq} but the nomination is at version {nomination.version} "
                    "(entries deleted, or the row changed outside the service)",
                )
            )
        elif tail.to_state != nomination.state:
            problems.append(
                BrokenLink(chain, tail.seq, tail.id, f"chain ends in {tail.to_state!r} but the nomination is {nomination.state!r}")
            )
    return problems


def entries_of(session: Session, chain: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)))


def payload_of(entry: AuditEntry) -> dict[str, Any]:
    return json.loads(entry.payload)
