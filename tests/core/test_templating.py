"""Compiled templates are shared by the environments of one process, never served stale."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from core.templating import CompiledInThisProcess, build_environment


def test_a_second_environment_uses_the_first_ones_compiled_template() -> None:
    cache = CompiledInThisProcess()
    first = Environment(
        loader=DictLoader({"page.html": "Hello {{ name }}"}), bytecode_cache=cache, autoescape=True
    )
    assert first.get_template("page.html").render(name="Ada") == "Hello Ada"
    [(key, compiled)] = cache._compiled.items()

    second = Environment(
        loader=DictLoader({"page.html": "Hello {{ name }}"}), bytecode_cache=cache, autoescape=True
    )
    assert second.get_template("page.html").render(name="Grace") == "Hello Grace"
    assert cache._compiled == {key: compiled}


def test_a_changed_template_is_compiled_again_not_taken_from_the_cache() -> None:
    cache = CompiledInThisProcess()
    before = Environment(
        loader=DictLoader({"page.html": "Old {{ name }}"}), bytecode_cache=cache, autoescape=True
    )
    assert before.get_template("page.html").render(name="Ada") == "Old Ada"

    after = Environment(
        loader=DictLoader({"page.html": "New {{ name }}"}), bytecode_cache=cache, autoescape=True
    )
    assert after.get_template("page.html").render(name="Ada") == "New Ada"


def test_the_app_environments_share_one_cache() -> None:
    assert build_environment().bytecode_cache is build_environment().bytecode_cache
