"""A real SMTP server on loopback for the outbox tests (aiosmtpd), and settings pointed at it.

Import the fixtures into a test module (``from tests.integration.smtp_server import smtp_fixture,
smtp_port_fixture``); tests then ask for ``smtp`` / ``smtp_port``.
``smtp_port`` only points the settings at a free port (nothing listens: "SMTP down");
``smtp`` also starts a server there. ``SmtpServer.start()`` on the same port brings it back.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from config.settings import get_settings

BASE_URL = "https://tdkt.hanoi.example"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: tuple = ()  # the client's address: one per SMTP connection

    def parsed(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]

    @property
    def outbox_key(self) -> str:
        return str(self.parsed()["X-TDKT-Outbox-Key"]).strip()  # long values are folded


class Collector:
    """aiosmtpd handler keeping every accepted message. ``refuse`` maps an address to an
    RCPT answer (e.g. "550 ..."); ``stall_after_data`` delays the final DATA reply (seconds)."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.stall_after_data = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, tuple(session.peer)))
        if self.stall_after_data:
            await asyncio.sleep(self.stall_after_data)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def by_key(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.messages:
            counts[m.outbox_key] = counts.get(m.outbox_key, 0) + 1
        return counts


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(name="smtp_port")
def smtp_port_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    port = free_port()
    monkeypatch.setenv("TDKT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TDKT_SMTP_PORT", str(port))
    monkeypatch.setenv("TDKT_BASE_URL", BASE_URL)
    get_settings.cache_clear()
    yield port
    get_settings.cache_clear()


@pytest.fixture(name="smtp")
def smtp_fixture(smtp_port: int) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()
