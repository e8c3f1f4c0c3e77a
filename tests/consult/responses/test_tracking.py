"""Tracking numbers: the format of SPEC §3, a check character that catches typing mistakes."""

from __future__ import annotations

import re

from consult.responses.tracking import ALPHABET, check_character, new_tracking_number, normalise


def test_tracking_numbers_have_the_documented_shape_and_are_distinct() -> None:
    numbers = {new_tracking_number(2026) for _ in range(2000)}

    assert len(numbers) == 2000
    assert all(
        re.fullmatch(r"QC-2026-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", n) for n in numbers
    )
    assert all(normalise(n) == n for n in numbers)


def test_every_single_character_mistake_is_caught() -> None:
    number = new_tracking_number(2026)
    code = number[8:12] + number[13:17]
    for position in range(8):
        for replacement in ALPHABET:
            if replacement == code[position]:
                continue
            wrong = code[:position] + replacement + code[position + 1 :]
            assert normalise(f"QC-2026-{wrong[:4]}-{wrong[4:]}") is None


def test_lower_case_and_confusable_letters_are_read_as_meant() -> None:
    body = "0I1L0O0"
    code = body.translate(str.maketrans({"I": "1", "L": "1", "O": "0"}))
    number = f"QC-2026-{code[:4]}-{code[4:]}{check_character(code)}"
    typed = f"qc-2026-{body[:4]}-{body[4:]}{check_character(code)}".lower()

    assert normalise(typed) == number


def test_malformed_input_is_not_a_tracking_number() -> None:
    for text in ("", "QC-2026", "XX-2026-AAAA-AAAA", "QC-2026-AAAA-AAAU", "QC-2026-AAAA-AAAA-AAAA"):
        assert normalise(text) is None
