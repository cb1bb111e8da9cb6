"""A steady load of transitions over HTTP, recording what the API acknowledged.

Each client owns some nominations and moves each round the Board's completion loop
(received → returned → received: ``return_for_completion`` by the Board officer, ``resubmit`` by
the proposing unit's submitter), always with ``If-Match`` and an ``Idempotency-Key``. A request
whose connection broke is retried with the same key until the server answers; any answer other
than 200 sends the client back to read the nomination (the attempt may have committed before the
crash: a 409 is then the expected answer to the retry).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.api.security import issue_token
from service.api.settings import get_api_settings
from service.demo import DemoNomination, drive
from service.models import Nomination

SUBMITTERS = {"SO_GDDT": "cb.sogddt", "SO_YT": "cb.soyt", "THANH_TRA": "cb.thanhtra"}
BOARD = "ban.tdkt"
NEXT = {"received": ("return_for_completion", BOARD), "returned": ("resubmit", None)}


def loop_nominations(engine: Engine) -> dict[int, str]:
    """Nominations in the completion loop, by id → the submitter account of their unit; a few
    more are created (eligible nominees of the units with a demo submitter)."""
    with Session(engine, expire_on_commit=False) as s:
        for person, award in (("P014", "BK_TP"), ("P024", "BK_TP"), ("P014", "CSTD_TP")):
            drive(s, DemoNomination(person=person, award=award, campaign="TK-2026", steps=["submit", "endorse", "receive"]))
        rows = s.exec(select(Nomination).where(Nomination.state.in_(list(NEXT)),  # type: ignore[attr-defined]
                                               Nomination.proposing_unit_code.in_(list(SUBMITTERS)))).all()  # type: ignore[attr-defined]
        return {n.id: SUBMITTERS[n.proposing_unit_code] for n in rows}


@dataclass(frozen=True)
class Ack:
    nomination_id: int
    version: int  # the version after the transition = the seq of its audit entry
    action: str
    state: str


@dataclass
class Load:
    base: str
    owners: dict[int, str]
    acks: list[Ack] = field(default_factory=list)
    in_flight: int = 0
    errors: list[str] = field(default_factory=list)  # answers that are not part of the contract
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def token(self, username: str) -> dict[str, str]:
        token, _ = issue_token(username, get_api_settings())
        return {"Authorization": f"Bearer {token}"}

    def _call(self, client: httpx.Client, method: str, url: str, **kw: object) -> httpx.Response | None:
        """One request; None when the connection broke (the server died or is restarting)."""
        with self.lock:
            self.in_flight += 1
        try:
            return client.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.TransportError:
            return None
        finally:
            with self.lock:
                self.in_flight -= 1

    def _check_shape(self, r: httpx.Response) -> None:
        if r.status_code >= 500 and r.status_code != 503:
            self.errors.append(f"{r.status_code} {r.text[:200]}")

    def drive(self, ids: list[int], seed: int) -> None:
        rnd = random.Random(seed)
        board = self.token(BOARD)
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                nid = rnd.choice(ids)
                got = self._call(client, "GET", f"/nominations/{nid}", headers=board)
                if got is None or got.status_code != 200:
                    if got is not None:
                        self._check_shape(got)
                    time.sleep(0.05)
                    continue
                body = got.json()
                action, who = NEXT[body["state"]]
                headers = {**(board if who == BOARD else self.token(self.owners[nid])),
                           "If-Match": f'"v{body["version"]}"', "Idempotency-Key": uuid.uuid4().hex}
                payload = {"reason": "Bổ sung biên bản họp bình xét."} if action == "return_for_completion" else {}
                while not self.stop.is_set():
                    r = self._call(client, "POST", f"/nominations/{nid}/actions/{action}", headers=headers, json=payload)
                    if r is None:
                        time.sleep(0.05)
                        continue  # same key: the retry either replays the answer or is refused
                    if r.status_code == 200:
                        out = r.json()
                        with self.lock:
                            self.acks.append(Ack(nid, out["version"], action, out["state"]))
                    elif r.status_code not in (409, 503):
                        self.errors.append(f"{action} on {nid}: {r.status_code} {r.text[:200]}")
                    break
