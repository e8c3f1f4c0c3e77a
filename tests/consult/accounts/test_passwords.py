"""Password hashing profiles: the standard one is RFC 9106's, and a sign-in moves old hashes on.

The rest of the suite hashes with the "fast" profile (PASSWORD_HASHING=fast); this file is where
the standard parameters and the move between profiles are checked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import Type, extract_parameters

from base.settings import Limit
from consult.accounts.passwords import hash_password, use_hashing_profile, verify_password
from consult.accounts.services import authenticate
from core.clock import FixedClock
from tests.factories import make_person

PASSWORD = "correct horse battery staple"
LIMIT, CEILING = Limit(5, 900), Limit(30, 900, 86400)


@pytest.fixture
def standard_hashing() -> Iterator[None]:
    use_hashing_profile("standard")
    try:
        yield
    finally:
        use_hashing_profile("fast")


async def test_the_standard_profile_is_argon2id_with_rfc_9106s_second_recommended_parameters(
    standard_hashing: None,
) -> None:
    stored = await hash_password(PASSWORD)

    parameters = extract_parameters(stored)
    assert (parameters.type, parameters.time_cost, parameters.memory_cost) == (Type.ID, 3, 65536)
    assert parameters.parallelism == 4
    assert await verify_password(stored, PASSWORD)
    assert not await verify_password(stored, PASSWORD + "!")


async def test_an_unknown_account_is_checked_against_a_dummy_hash_and_never_matches() -> None:
    assert not await verify_password(None, PASSWORD)
    assert not await verify_password(None, "not a real password, only here to spend the same time")


async def test_a_sign_in_rehashes_a_password_stored_with_other_parameters(
    db: None, clock: FixedClock, standard_hashing: None
) -> None:
    person = await make_person("ada@example.org", password_hash=await hash_password(PASSWORD))
    use_hashing_profile("fast")

    signed_in = await authenticate(
        "ada@example.org",
        PASSWORD,
        address="192.0.2.1",
        limit=LIMIT,
        ceiling=CEILING,
        now=clock.now(),
    )

    assert signed_in is not None and signed_in.id == person.id
    await person.refresh_from_db()
    assert extract_parameters(person.password_hash).time_cost == 1  # now the current profile's
    assert await verify_password(person.password_hash, PASSWORD)


async def test_a_wrong_password_leaves_the_stored_hash_alone(db: None, clock: FixedClock) -> None:
    stored = await hash_password(PASSWORD)
    person = await make_person("ada@example.org", password_hash=stored)

    refused = await authenticate(
        "ada@example.org",
        "wrong " + PASSWORD,
        address="192.0.2.1",
        limit=LIMIT,
        ceiling=CEILING,
        now=clock.now(),
    )

    assert refused is None
    await person.refresh_from_db()
    assert person.password_hash == stored
