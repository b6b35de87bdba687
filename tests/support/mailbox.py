"""A real local SMTP server (aiosmtpd) that onconav sends its mails through, and what it received."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import pytest

from onconav.config import get_settings


class Mailbox:
    """What a real local SMTP server (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages to `to`, once at least `count` have arrived."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.to(to)) >= count, timeout=timeout)
        found = self.to(to)
        assert len(found) >= count, f"expected {count} message(s) to {to}, got {len(found)}"
        return found

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, message: EmailMessage) -> str:
        match = re.search(r"https?://\S+", self.body(message))
        assert match, self.body(message)
        return match.group(0)


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; onconav is configured to send through it."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ONCONAV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ONCONAV_SMTP_PORT", str(port))
    monkeypatch.setenv("ONCONAV_SMTP_FROM", "onconav <no-reply@onconav.test>")
    monkeypatch.setenv("ONCONAV_PUBLIC_URL", "http://testserver")
    get_settings.cache_clear()
    try:
        yield box
    finally:
        controller.stop()
