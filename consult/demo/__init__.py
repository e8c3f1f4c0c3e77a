"""Demonstration data: the five topics, development accounts, calls for input in every phase with
their questions, a few hundred responses (a form-letter campaign among them) and comments, and
sessions in Washington, London and online with their registrations (a weekly series across a
daylight-saving change among them).

`load_demo` is safe to run twice: the second run adds nothing and says so.
"""

from __future__ import annotations

from consult.demo.loader import load_demo

__all__ = ["load_demo"]
