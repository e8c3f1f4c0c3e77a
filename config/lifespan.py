"""Start-up and shut-down: the database connections live exactly as long as the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from starlette.applications import Starlette
from tortoise.contrib.starlette import RegisterTortoise

from base.settings import Settings
from config.database import tortoise_config
from config.scheduler import run_scheduler
from core.notifications.compose import Site

# The name of the task that runs the scheduler inside a web process (SCHEDULER=on).
SCHEDULER_TASK = "consult-scheduler"

log = logging.getLogger("consult")


def build_lifespan(settings: Settings) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            log.info("QIST Consult ready at %s (%s)", settings.base_url, _database_label(settings))
            stop = asyncio.Event()
            scheduler = None
            if settings.scheduler:
                site = Site(settings, app.state.templates.env, app.router.url_path_for)
                scheduler = asyncio.create_task(
                    run_scheduler(site, clock=app.state.clock, stop=stop), name=SCHEDULER_TASK
                )
            try:
                yield
            finally:
                stop.set()
                if scheduler is not None:
                    await scheduler

    return lifespan


def _database_label(settings: Settings) -> str:
    return (
        "SQLite " + settings.database_url.split("://", 1)[1] if settings.is_sqlite else "PostgreSQL"
    )
