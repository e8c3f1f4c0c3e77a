"""Liveness and readiness probes, and what this process last knew of its database."""

from __future__ import annotations

import logging
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from config.database import database_answers

log = logging.getLogger("consult.health")


class DatabaseWatch:
    """Whether the database answered this process last time it was asked. Each change is logged
    once, as a warning: an outage of thousands of refused requests reads as two lines (plus one
    short line per request from `config.errors.RefuseWhileDatabaseDown`)."""

    def __init__(self) -> None:
        self.down = False
        self.refused = 0
        self._since = 0.0
        self._probing = False

    def unavailable(self, reason: BaseException | str) -> None:
        """A query failed because the database is down, restarting or dropped the connection."""
        if isinstance(reason, BaseException):
            name = type(reason).__name__
            reason = f"{name}: {reason}" if str(reason) else name
        if not self.down:
            self.down, self.refused, self._since = True, 0, time.monotonic()
            log.warning("database unavailable (%s): requests get 503 until it answers", reason)

    def refused_request(self, reason: BaseException) -> None:
        self.unavailable(reason)
        self.refused += 1

    def available(self) -> None:
        if self.down:
            self.down = False
            log.warning(
                "database available again after %.1f s; %d request(s) refused meanwhile",
                time.monotonic() - self._since,
                self.refused,
            )

    async def probe(self) -> bool:
        """Ask the database now, and note the answer."""
        if await database_answers():
            self.available()
            return True
        self.unavailable("not answering")
        return False

    async def recheck(self) -> None:
        """A request went through during an outage (maybe one that needs no database): ask the
        database whether it is back, one probe at a time."""
        if self.down and not self._probing:
            self._probing = True
            try:
                await self.probe()
            finally:
                self._probing = False


async def healthz(request: Request) -> Response:
    """The process is alive and serving; says nothing about the database."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def readyz(request: Request) -> Response:
    """Ready for traffic only when the database answers a query."""
    watch: DatabaseWatch = request.app.state.database_watch
    if await watch.probe():
        return JSONResponse(
            {"status": "ready", "database": "ok"}, headers={"Cache-Control": "no-store"}
        )
    return JSONResponse(
        {"status": "unavailable", "database": "not answering"},
        status_code=503,
        headers={"Cache-Control": "no-store", "Retry-After": "5"},
    )
