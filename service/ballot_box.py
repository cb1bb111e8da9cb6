"""The secret ballot box ("hòm phiếu kín") shared by the cluster's honouring ballot and the
council's sessions.

A box is a name (``cluster_ballot:3``, ``council_session:1``) with a fixed layout of counters,
one per (question, option, choice, channel), all created at zero when the box opens. Casting a
paper writes a receipt (the voter has voted, and whether in person or in writing) and adds the
paper's marks to the counters with **one** statement that rewrites every counter of the box, so
each counter row carries the same last writer and the same layout whatever the paper said (on
PostgreSQL the ``xmin`` of every counter is the last voter's transaction, which only says that
this voter voted). Nothing links a receipt to a mark; the counts are read only once the owner
of the box has closed it.

Not covered: someone reading the database's files or WAL while voting is under way, or old row
versions before PostgreSQL vacuums them; a paper ballot in a locked room has the same limits.

The caller (``service.ballots``, ``service.council``) holds its aggregate's row lock, checks who
may vote and what the paper may say, and writes the audit entry (that the voter voted, never
the marks).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from service.cycle_models import BallotCount, BallotReceipt

Mark = tuple[str, str, str]  # (question, option, choice)
IN_PERSON = "in_person"
ABSENTEE = "absentee"


def open_box(session: Session, box: str, layout: Iterable[tuple[str, str, str, str]]) -> None:
    """Create every counter of the box at zero: (question, option, choice, channel)."""
    for question, option, choice, channel in sorted(set(layout)):
        session.add(BallotCount(box=box, question=question, option=option, choice=choice, channel=channel, count=0))
    session.flush()


def has_voted(session: Session, box: str, voter: str) -> bool:
    return session.get(BallotReceipt, (box, voter)) is not None


def voters(session: Session, box: str) -> list[tuple[str, str]]:
    """(voter, channel) of every paper cast, in voter order (never in the order they came)."""
    rows = session.exec(select(BallotReceipt.voter, BallotReceipt.channel).where(BallotReceipt.box == box).order_by(BallotReceipt.voter))
    return [(voter, channel) for voter, channel in rows]


def cast(session: Session, box: str, voter: str, channel: str, marks: Iterable[Mark]) -> None:
    """Record that ``voter`` voted and add its marks to the counters. The caller has checked the
    voter's right to vote, that it has not voted yet, and every mark against the layout."""
    deltas = Counter((q, o, c) for q, o, c in marks)
    layout = {
        (q, o, c) for q, o, c in session.exec(
            select(BallotCount.question, BallotCount.option, BallotCount.choice).where(
                BallotCount.box == box, BallotCount.channel == channel
            )
        )
    }
    unknown = set(deltas) - layout
    if unknown:
        raise ValueError(f"marks outside the layout of {box} ({channel}): {sorted(unknown)}")
    session.add(BallotReceipt(box=box, voter=voter, channel=channel))
    session.flush()
    whens = [
        (sa.and_(BallotCount.question == q, BallotCount.option == o, BallotCount.choice == c, BallotCount.channel == channel), n)
        for (q, o, c), n in sorted(deltas.items())
    ]
    increment = sa.case(*whens, else_=0) if whens else sa.literal(0)
    session.execute(
        sa.update(BallotCount).where(BallotCount.box == box).values(count=BallotCount.count + increment),
        execution_options={"synchronize_session": False},
    )


def counts(session: Session, box: str) -> dict[tuple[str, str, str, str], int]:
    """Every counter of a closed box: (question, option, choice, channel) → count."""
    rows = session.execute(
        sa.select(BallotCount.question, BallotCount.option, BallotCount.choice, BallotCount.channel, BallotCount.count).where(
            BallotCount.box == box
        )
    )
    return {(q, o, c, ch): n for q, o, c, ch, n in rows}


def discard(session: Session, box: str) -> None:
    """Throw a void ballot's counters away uncounted (a ballot without quorum); receipts stay."""
    session.execute(delete(BallotCount).where(BallotCount.box == box), execution_options={"synchronize_session": False})
