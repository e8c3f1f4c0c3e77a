"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from config.database import database_answers


async def healthz(request: Request) -> Response:
    """The process is alive and serving; says nothing about the database."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def readyz(request: Request) -> Response:
    """Ready for traffic only when the database answers a query."""
    if await database_answers():
        return JSONResponse(
            {"status": "ready", "database": "ok"}, headers={"Cache-Control": "no-store"}
        )
    return JSONResponse(
        {"status": "unavailable", "database": "not answering"},
        status_code=503,
        headers={"Cache-Control": "no-store", "Retry-After": "5"},
    )
