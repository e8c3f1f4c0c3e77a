"""What the logs say: secrets in paths (links from emails, calendar feeds) never appear in them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from starlette.routing import Route

from config.logging import mask_secrets
from config.routes import build_routes
from consult.accounts.tokens import LinkClaims, make_link_token
from tests.conftest import TEST_SECRET
from tests.servers import free_port, wait_until_ready


@contextmanager
def consult_serve(folder: Path, log_path: Path) -> Iterator[str]:
    """`consult serve` as deployed (its own logging set-up) on a migrated SQLite database, its
    standard output and error written to `log_path`; yields its base URL, stopped on exit."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SMTP_URL"}},
        "ENV": "test",
        "DATA_DIR": str(folder / "data"),
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "info",
        "SCHEDULER": "off",
    }
    command = [sys.executable, "-m", "config"]
    subprocess.run([*command, "migrate"], env=env, cwd=folder, check=True, capture_output=True)
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(base_url, server, log_path, seconds=60)
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_access_log_masks_tokens_in_paths_and_query_strings(tmp_path: Path) -> None:
    link = make_link_token(
        TEST_SECRET,
        "verify-email",
        LinkClaims(7, "priya@example.org", 0, datetime(2026, 11, 24, tzinfo=UTC)),
    )
    reset = make_link_token(
        TEST_SECRET,
        "reset-password",
        LinkClaims(7, "priya@example.org", 1, datetime(2026, 11, 24, tzinfo=UTC)),
    )
    calendar = secrets.token_urlsafe(32)
    unsubscribe = secrets.token_urlsafe(40)
    in_query = secrets.token_urlsafe(32)
    requests = {
        f"/account/verify/{link}": f"/account/verify/{link[:4]}…",
        f"/account/password/reset/{reset}": f"/account/password/reset/{reset[:4]}…",
        f"/calendar/me/{calendar}.ics": f"/calendar/me/{calendar[:4]}….ics",
        f"/unsubscribe/{unsubscribe}": f"/unsubscribe/{unsubscribe[:4]}…",
        f"/calls?token={in_query}&page=2": f"/calls?token={in_query[:4]}…&page=2",
        f"/account/signin?next=/account/verify/{link}": f"next=/account/verify/{link[:4]}…",
    }

    log_path = tmp_path / "server.log"
    with consult_serve(tmp_path, log_path) as base_url, httpx.Client(base_url=base_url) as http:
        for path in requests:
            assert http.get(path).status_code < 500

    written = log_path.read_text()
    assert '"GET /readyz HTTP/1.1" 200' in written  # the access log is on and goes to this file
    for secret in (link, reset, calendar, unsubscribe, in_query):
        assert secret not in written
    for masked in requests.values():
        assert masked in written


def test_every_route_with_a_token_in_its_path_is_masked() -> None:
    token = secrets.token_urlsafe(32)
    with_tokens = [
        route
        for route in build_routes()
        if isinstance(route, Route) and "token" in route.param_convertors
    ]

    assert len(with_tokens) == 4  # verify, reset, unsubscribe, personal calendar
    for route in with_tokens:
        path = route.url_path_for(route.name, token=token)
        assert token not in mask_secrets(path)
        assert f"{token[:4]}…" in mask_secrets(path)


def test_paths_without_secrets_are_logged_unchanged() -> None:
    for path in (
        "/calls/quantum-standards/responses?page=2&q=photonic%20chips",
        "/calendar/topics/standards.ics",
        "/api/v1/calls?cursor=abc&limit=20",
    ):
        assert mask_secrets(path) == path
