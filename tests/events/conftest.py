"""Shared by the calendar tests: Node with Mozilla's ical.js, the parser Thunderbird uses."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI, _skipped

HERE = Path(__file__).parent / "icaljs"


def _ical_js_installed() -> bool:
    """ical.js is there, or npm installs it now (once, whichever test process comes first)."""
    package = HERE / "node_modules" / "ical.js" / "package.json"
    npm = shutil.which("npm")
    if package.is_file() or npm is None:
        return package.is_file()
    with (HERE / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not package.is_file():
            subprocess.run(
                [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
                capture_output=True,
                timeout=300,
                check=False,
            )
    return package.is_file()


@pytest.fixture(scope="session")
def node() -> str:
    """The `node` binary, once ical.js is installed; skipped (or, under CI=true, failed) otherwise."""
    path = shutil.which("node")
    problem = None
    if path is None:
        problem = "node is not installed"
    elif not _ical_js_installed():
        problem = "ical.js is not installed and npm could not install it (npm ci --prefix tests/events/icaljs)"
    if problem is not None:
        message = f"{problem}: calendar feeds not checked with ical.js"
        if IN_CI:
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        _skipped["ical.js"] = message
        pytest.skip(message)
    assert path is not None
    return path
