"""send_mail: real SMTP delivery on loopback, or an .eml file a developer can open."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from base.settings import MailSettings
from core.notifications.transport import OutgoingMail, send_mail
from tests.support import Mailbox, text_of

MAIL = OutgoingMail(
    to="grace@example.org",
    subject="Your response was received",
    text="Thank you. Tracking number QC-2026-7KX4-M9PD.",
    html="<p>Thank you. Tracking number <strong>QC-2026-7KX4-M9PD</strong>.</p>",
    headers={"List-Unsubscribe": "<https://consult.example/unsubscribe/x>"},
)


async def test_send_mail_delivers_text_and_html_over_smtp(mailbox: Mailbox, tmp_path: Path) -> None:
    where = await send_mail(
        MailSettings("QIST Consult <no-reply@consult.example>", mailbox.url, tmp_path), MAIL
    )

    [message] = mailbox.messages
    assert where == mailbox.url
    assert (message["From"], message["To"], message["Subject"]) == (
        "QIST Consult <no-reply@consult.example>",
        "grace@example.org",
        "Your response was received",
    )
    assert text_of(message).strip() == "Thank you. Tracking number QC-2026-7KX4-M9PD."
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<strong>QC-2026-7KX4-M9PD</strong>" in html.get_content()
    assert message["List-Unsubscribe"] == "<https://consult.example/unsubscribe/x>"
    assert not list(tmp_path.iterdir())


async def test_without_smtp_url_mail_is_written_as_an_eml_file_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="consult.mail")

    where = await send_mail(
        MailSettings("QIST Consult <no-reply@localhost>", "", tmp_path / "mail"), MAIL
    )

    [path] = (tmp_path / "mail").glob("*.eml")
    assert where == str(path)
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "grace@example.org"
    assert text_of(message).strip() == "Thank you. Tracking number QC-2026-7KX4-M9PD."  # type: ignore[arg-type]
    assert str(path) in caplog.text


async def test_an_unreachable_smtp_server_raises_so_the_caller_can_retry(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        await send_mail(MailSettings("a@b.example", "smtp://127.0.0.1:9", tmp_path), MAIL)
