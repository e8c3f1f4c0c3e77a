"""One log format for the web processes, the scheduler and the command line, with no secrets in it."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote, urlencode

# Paths whose segment after the prefix is a secret: a link from an email (verify, reset,
# unsubscribe) or a calendar app's subscription (personal feed). Whoever reads the log must not be
# able to follow them. tests/config/test_logging.py checks every `{token}` route is listed here.
SECRET_PATHS = re.compile(
    r"(?P<prefix>/account/verify/|/account/password/reset/|/unsubscribe/|/calendar/me/)"
    r"(?P<secret>[^/?#]+?)(?P<suffix>\.ics)?(?=[/?#]|$)"
)
# Query parameters whose value is a secret wherever they appear.
SECRET_QUERY_NAMES = re.compile(r"token|secret|password|passcode|code|key|signature|sig", re.I)
KEPT = 4  # characters of a secret kept in the log: enough to tell two apart, too few to use


def mask(secret: str) -> str:
    return secret[:KEPT] + "…"


def _mask_path(path: str) -> str:
    return SECRET_PATHS.sub(lambda m: m["prefix"] + mask(m["secret"]) + (m["suffix"] or ""), path)


def mask_secrets(target: str) -> str:
    """A path with its query string as it may be logged: secrets in the path and in query values
    (named like a secret, or a path with a secret such as `next=/account/verify/…`) masked."""
    path, question, query = target.partition("?")
    masked = _mask_path(path)
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        hidden = [
            (name, mask(value) if SECRET_QUERY_NAMES.search(name) else _mask_path(value))
            for name, value in pairs
        ]
        if hidden != pairs:
            # urlencode escapes the ellipsis like any non-ASCII character: show it as written.
            query = urlencode(hidden, safe="/").replace(quote("…"), "…")
    return masked + question + query


class MaskSecretsInAccessLog(logging.Filter):
    """Rewrites the path in uvicorn's access log record (`client - "METHOD PATH HTTP/x" status`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_secrets(args[2]), *args[3:])
        return True


# Libraries that say too much. Tortoise logs every query at DEBUG and each start and stop at INFO:
# only its warnings matter. asyncpg's pool, while the database is down, retries its connection
# floor with a warning and a traceback each time (1, 2, 4 … 60 s apart) in every process;
# `config.health.DatabaseWatch` says once that the database went and once that it came back.
QUIETER = {"tortoise": logging.WARNING, "asyncpg.pool": logging.ERROR}


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name, least in QUIETER.items():
        logging.getLogger(name).setLevel(least)
    # Each web process imports config.asgi, which calls this after uvicorn configured its loggers.
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskSecretsInAccessLog) for f in access.filters):
        access.addFilter(MaskSecretsInAccessLog())
