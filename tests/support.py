"""Helpers tests share: a real SMTP server on loopback, reading forms and links out of pages."""

from __future__ import annotations

import re
import socket
import threading
import tracemalloc
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup

LINK = re.compile(r"https?://\S+")


class Mailbox:
    """Collects every message the loopback SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.url = ""
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        """Block until `count` messages have arrived (for mail sent by another process)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)

    def to(self, address: str, subject_starts: str = "") -> list[EmailMessage]:
        with self._lock:
            return [
                m
                for m in self.messages
                if m["To"] == address and str(m["Subject"]).strip().startswith(subject_starts)
            ]


def start_smtp_server() -> tuple[Mailbox, Controller]:
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.url = f"smtp://127.0.0.1:{port}"
    return mailbox, controller


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "message has no plain-text part"
    return str(part.get_content()).replace("\r\n", "\n")


def links_in(message: EmailMessage) -> list[str]:
    return LINK.findall(text_of(message))


def page(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def csrf_from(response: httpx.Response) -> str:
    field = page(response).find("input", attrs={"name": "csrf_token"})
    assert field is not None, "page has no CSRF field"
    return str(field["value"])


def error_summary(response: httpx.Response) -> list[str]:
    summary = page(response).select(".error-summary li")
    return [item.get_text(" ", strip=True) for item in summary]


def field_error(response: httpx.Response, field_id: str) -> str:
    element = page(response).find(id=f"{field_id}-error")
    return element.get_text(" ", strip=True) if element else ""


@dataclass
class NewAccount:
    email: str = "ada.lovelace@example.org"
    password: str = "correct horse battery staple"
    display_name: str = "Ada Lovelace"
    organisation: str = "Analytical Engines Ltd"
    sector: str = "industry"
    country: str = "GB"

    def form(self) -> dict[str, str]:
        return {
            "email": self.email,
            "password": self.password,
            "display_name": self.display_name,
            "organisation": self.organisation,
            "sector": self.sector,
            "country": self.country,
        }


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str], *, form_page: str | None = None
) -> httpx.Response:
    """GET the page holding the form (for its CSRF token and cookie), then POST the data."""
    token = csrf_from(await client.get(form_page or path))
    return await client.post(path, data={"csrf_token": token, **data})


async def sign_up(client: httpx.AsyncClient, account: NewAccount | None = None) -> httpx.Response:
    return await post_form(client, "/account/signup", (account or NewAccount()).form())


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await post_form(client, "/account/signin", {"email": email, "password": password})


def subjects(mailbox: Mailbox, starting: str = "") -> list[tuple[str, str]]:
    """(To, Subject) of each message received, in order; only subjects with the given start."""
    found = [(str(m["To"]), str(m["Subject"]).strip()) for m in mailbox.messages]
    return [(to, subject) for to, subject in found if subject.startswith(starting)]


class PeakMemory:
    """The most memory Python held at once inside a `with` block beyond what it held before, in
    every thread (tracemalloc sees zlib's buffers and worker threads too), in MB."""

    mb = 0.0

    def __enter__(self) -> PeakMemory:
        tracemalloc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.mb = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
