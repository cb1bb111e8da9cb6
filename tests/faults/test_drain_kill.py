"""A flow run killed mid-way: the outbox drain (what the ``outbox_drain`` flow runs) in its own
process, against a real SMTP server on loopback, is killed with SIGKILL at a random moment of a
batch, over and over. The delivery guarantee of service/outbox.py is at most once: after each
kill, a re-run once the lease has passed converges (nothing left "sending"), no message is ever
delivered twice, and the messages the kill left "unknown" that the mail log shows undelivered
are requeued (the admin's step) and delivered by a later run. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlmodel import Session, select

from config.settings import get_settings
from service.db import make_engine
from service.mailer import message_id_for
from service.models import OutboxMessage, utcnow
from service.outbox import drain_outbox, requeue
from tests.faults.plugin import Tally, size
from tests.faults.servers import ROOT
from tests.integration.smtp_server import SmtpServer, smtp_fixture, smtp_port_fixture  # noqa: F401 - fixtures

GROUP = "Crashes"

_DRAIN = """
import sys
from datetime import datetime
from service.db import make_engine
from service.outbox import drain_outbox
drain_outbox(make_engine(sys.argv[1]), now=datetime.fromisoformat(sys.argv[2]), batch=1000)
"""


def statuses(url: str) -> dict[int, tuple[str, str]]:
    engine = make_engine(url)
    with Session(engine) as s:
        out = {m.id: (m.status, m.key) for m in s.exec(select(OutboxMessage))}
    engine.dispose()
    return out  # type: ignore[return-value]


def test_a_drain_killed_at_random_never_sends_twice_and_converges(database_url: str, smtp: SmtpServer, tally: Tally) -> None:
    fault = f"Outbox drain process killed -9 mid-batch ({'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}, real SMTP)"
    smtp.handler.stall_after_data = 0.02  # a kill can land between "delivered" and "marked sent"
    rnd = random.Random(9)
    lease = timedelta(seconds=get_settings().outbox_lease_seconds)
    clock = utcnow()
    env = {**os.environ, "TDKT_SMTP_HOST": "127.0.0.1", "TDKT_SMTP_PORT": str(smtp.port)}
    engine = make_engine(database_url)
    kills = 0
    for _ in range(size(3, 15)):
        pending = [i for i, (st, _) in statuses(database_url).items() if st == "pending"]
        if not pending:
            break
        before = len(smtp.messages)
        proc = subprocess.Popen([sys.executable, "-c", _DRAIN, database_url, clock.isoformat()], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Kill once the batch is under way (a message or more delivered), at a random point of it.
        deadline = time.monotonic() + 60
        while len(smtp.messages) == before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rnd.uniform(0, 0.3))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
            tally.tried(GROUP, fault)
        proc.wait()
        # The re-run, once the lease of the killed run has passed, settles every "sending" row.
        clock += lease
        drain_outbox(engine, now=clock)
        state = statuses(database_url)
        assert not [i for i, (st, _) in state.items() if st == "sending"], state
        # The admin's step: an "unknown" message absent from the mail log is requeued.
        delivered = smtp.by_key()
        missing = [i for i, (st, key) in state.items() if st == "unknown" and key not in delivered]
        with Session(engine) as s:
            requeue(s, missing, now=clock)
        clock += timedelta(seconds=1)
    engine.dispose()
    doubled = {k: n for k, n in smtp.by_key().items() if n > 1}
    if doubled:
        tally.let_through(GROUP, f"{fault}: e-mail delivered twice", len(doubled), note=str(doubled))
    assert kills > 0, "no drain was killed mid-batch"
    assert doubled == {}
    # Converged: drain until nothing is pending; every message is then sent (once) or, for a
    # delivered one whose mark was lost, "unknown" with its Message-ID for the admin to check.
    engine = make_engine(database_url)
    for _ in range(20):
        clock += lease
        drain_outbox(engine, now=clock, batch=1000)
        delivered = smtp.by_key()
        missing = [i for i, (st, key) in statuses(database_url).items() if st in ("unknown", "pending") and key not in delivered]
        if not missing:
            break
        with Session(engine) as s:
            requeue(s, missing, now=clock)
    engine.dispose()
    final = statuses(database_url)
    delivered = smtp.by_key()
    for i, (st, key) in final.items():
        assert st in {"sent", "unknown", "failed", "skipped"}, (i, st)  # skipped: no address to send to
        if st == "sent":
            assert delivered.get(key) == 1, (i, key)
        if st == "unknown":
            assert delivered.get(key) == 1, (i, key, message_id_for(key))
    assert max(delivered.values()) == 1
