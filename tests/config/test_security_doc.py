"""docs/security.md names a test for each requirement: every test it names must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`((?:[a-z_]+/)+test_[a-z_]+\.py)(?:::(test_[a-z0-9_]+))?")


def test_every_test_the_security_review_names_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text()
    references = REFERENCE.findall(text)
    assert len(references) >= 40
    missing = []
    for path, name in references:
        module = ROOT / "tests" / path
        if not module.exists():
            missing.append(path)
            continue
        if name:
            tree = ast.parse(module.read_text())
            defined = {
                node.name
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            if name not in defined:
                missing.append(f"{path}::{name}")
    assert missing == []
