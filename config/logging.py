"""One log format for the web processes, the scheduler and the command line."""

from __future__ import annotations

import logging


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Tortoise logs every query at DEBUG and each start and stop at INFO: only its warnings matter.
    logging.getLogger("tortoise").setLevel(logging.WARNING)
