"""Jinja2 templates for pages and emails, with the helpers every template may use."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.bccache import Bucket
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from core.forms import csrf_token_for
from core.markdown import render_markdown
from core.timezones import time_until, times_in_capitals

SERVICE_NAME = "QIST Consult"
TEMPLATE_PACKAGES = ("config", "consult", "events", "core")


class CompiledInThisProcess(BytecodeCache):
    """Compiled templates kept in memory and shared by every environment of this process.

    A process builds more than one environment: the web app's, and the one the scheduler or a
    command uses to write mail (`site_without_app`); the test suite builds one per test. Each
    would otherwise parse and compile every template it renders again. A bucket is keyed by the
    template's name and file, and checks its source's checksum, so an edited template compiles
    afresh."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_compiled_templates = CompiledInThisProcess()


def build_environment() -> Environment:
    env = Environment(
        bytecode_cache=_compiled_templates,
        loader=ChoiceLoader([PackageLoader(package, "templates") for package in TEMPLATE_PACKAGES]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["service_name"] = SERVICE_NAME
    env.globals["times_in_capitals"] = times_in_capitals
    env.globals["time_until"] = time_until
    env.filters["datetime_in"] = format_datetime_in
    env.filters["markdown"] = render_markdown
    return env


def format_datetime_in(value: datetime, zone: str = "Europe/London") -> str:
    """e.g. "24 November 2026, 17:05 GMT"."""
    local = value.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%B %Y, %H:%M %Z}"


def page_context(request: Request) -> dict[str, Any]:
    """What the layout needs on every page: who is signed in, navigation, CSRF, one-off notices."""
    session = request.scope.get("session")
    app_state = request.app.state
    return {
        "now": app_state.clock.now(),
        "current_user": request.scope.get("user"),
        "navigation": getattr(app_state, "navigation", ()),
        "csrf_token": (lambda: csrf_token_for(session)) if session is not None else (lambda: ""),
        "notices": session.pop("notices", []) if session is not None else [],
    }


def build_templates() -> Jinja2Templates:
    return Jinja2Templates(env=build_environment(), context_processors=[page_context])
