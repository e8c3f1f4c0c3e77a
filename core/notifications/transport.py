"""Sending email: over SMTP when SMTP_URL is set, otherwise as .eml files a developer can open."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from base.settings import MailSettings

log = logging.getLogger("consult.mail")


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, e.g. an iTIP calendar (`events.itip.calendar_attachment`).

    `params` go on the part's Content-Type (charset, and for text/calendar the iTIP method that
    makes mail clients offer "add to calendar").
    """

    filename: str
    content_type: str  # "maintype/subtype", without parameters
    data: bytes
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    set_subject(message, mail.subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or "localhost")
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    invitations = [a for a in mail.attachments if is_invitation(a)]
    for invitation in invitations:
        # Mail clients offer accept/decline when the iTIP calendar is an alternative of the
        # body (multipart/alternative), not only an attachment.
        message.add_alternative(
            invitation.data,  # bytes, base64: the calendar's CRLF line ends arrive as written
            maintype="text",
            subtype="calendar",
            params={"charset": "UTF-8", "method": invitation.params["method"]},
        )
    for attachment in mail.attachments:
        if is_invitation(attachment):
            # The same calendar as a file too, for clients that only look at attachments;
            # application/ics, so that none of them reads the message as two invitations.
            message.add_attachment(
                attachment.data, maintype="application", subtype="ics", filename=attachment.filename
            )
            continue
        maintype, subtype = attachment.content_type.split("/")
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=attachment.params,
        )
    return message


def set_subject(message: EmailMessage, subject: str) -> None:
    """The Subject header, every space kept.

    Python's folding (email.policy.default) writes a long non-ASCII subject as a run of encoded
    words separated by spaces, and RFC 2047 readers drop white space between encoded words:
    "Nodes — é 🚀 量子" arrived as "Nodes  —é🚀量子". Encoded whole by `email.header.Header`,
    the spaces travel inside the encoded words; `set_raw` keeps that folding as written.
    """
    if subject.isascii():
        message["Subject"] = subject
        return
    encoded = Header(subject, "utf-8", header_name="Subject").encode(maxlinelen=76, linesep="\n")
    message.set_raw("Subject", encoded)


def is_invitation(attachment: Attachment) -> bool:
    """An iTIP calendar (`text/calendar` with a METHOD), as `events.itip` makes them."""
    return attachment.content_type == "text/calendar" and "method" in attachment.params


async def send_mail(settings: MailSettings, mail: OutgoingMail) -> str:
    """Deliver one message; return where it went (an SMTP host or a file path)."""
    message = build_message(mail, settings.sender)
    if not settings.smtp_url:
        return _write_eml(settings.mail_dir, message)
    url = urlsplit(settings.smtp_url)
    await aiosmtplib.send(
        message,
        hostname=url.hostname or "localhost",
        port=url.port or (465 if url.scheme == "smtps" else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        timeout=30,
    )
    log.info("mail sent to %s via %s: %s", mail.to, url.hostname, mail.subject)
    return f"smtp://{url.hostname}:{url.port}"


def _write_eml(mail_dir: Path, message: EmailMessage) -> str:
    mail_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = mail_dir / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    log.info("no SMTP_URL set: mail to %s written to %s", message["To"], path)
    return str(path)
