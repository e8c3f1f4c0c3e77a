"""Shared by the calendar tests: Node with Mozilla's ical.js, the parser Thunderbird uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI, _skipped

HERE = Path(__file__).parent / "icaljs"


@pytest.fixture(scope="session")
def node() -> str:
    """The `node` binary, once ical.js is installed; skipped (or, under CI=true, failed) otherwise."""
    path = shutil.which("node")
    problem = None
    if path is None:
        problem = "node is not installed"
    elif not (HERE / "node_modules" / "ical.js" / "package.json").is_file():
        problem = "ical.js is not installed (run: npm ci --prefix tests/events/icaljs)"
    if problem is not None:
        message = f"{problem}: calendar feeds not checked with ical.js"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        _skipped["ical.js"] = message
        pytest.skip(message)
    assert path is not None
    return path
