"""Password hashing (Argon2id) and the rules a new password must meet.

Hashing and verifying take about 0.3 s of a core and 64 MiB each, on purpose (the "standard"
profile; the "fast" one exists for test suites, which hash thousands of passwords, and settings
refuse it in production). They run in a small
pool of threads of their own, never on the event loop: on the loop, 30 failed sign-ins took 8.5 s
end to end and every other request waited behind them. argon2-cffi releases the GIL while it
works, so the loop keeps serving; the pool's size bounds the CPU and memory this costs (further
calls wait their turn in order), and the sign-in limits bound how many can arrive.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 would take longer ones, but nobody types them and they cost time to hash.

# PASSWORD_HASHING chooses one. argon2-cffi's defaults are RFC 9106's second recommended profile:
# Argon2id, t=3, m=64 MiB, p=4. "fast" is still Argon2id, one pass over 64 KiB: about 0.1 ms.
HASHING_PROFILES = {
    "standard": PasswordHasher(),
    "fast": PasswordHasher(time_cost=1, memory_cost=64, parallelism=1),
}
_hasher = HASHING_PROFILES["standard"]

# A common password with digits or punctuation stuck on the end is still a common password.
_TRAILING_DECORATION = re.compile(r"[\d\W_]+$")


T = TypeVar("T")


class HashingThreads:
    """Where Argon2 runs: at most `size` hashes at once in this process, the rest queued."""

    def __init__(self, size: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="argon2")
        self.size = size
        self.jobs = 0  # running or waiting; changed on the event loop only

    async def run(self, work: Callable[..., T], *args: object) -> T:
        self.jobs += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)
        finally:
            self.jobs -= 1


# Two per process: a worker stays responsive on a 2-core machine while a burst of sign-ins waits.
hashing = HashingThreads(2)


def use_hashing_profile(name: str) -> None:
    """Hash new passwords with this profile from now on, in this process (set from the settings
    when the app or a command starts). Existing hashes keep verifying: each names its parameters;
    a sign-in rehashes one made with other parameters."""
    global _hasher
    _hasher = HASHING_PROFILES[name]


async def hash_password(password: str) -> str:
    return await hashing.run(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (an unknown email) False, after the same work, so
    that the time a failed sign-in takes does not reveal whether the account exists."""
    if password_hash is None:
        await hashing.run(_verify, _dummy_hash(_hasher), password)
        return False
    return await hashing.run(_verify, password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters (reads its header: no hashing, so sync)."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a throwaway password with the profile's parameters, verified against when an
    email is unknown."""
    return hasher.hash("not a real password, only here to spend the same time")


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("consult.accounts").joinpath("data/common-passwords.txt.gz").read_bytes()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why this password may not be used, in words for the form; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use {MAX_LENGTH} characters or fewer."
    lowered = password.lower()
    stem = _TRAILING_DECORATION.sub("", lowered)
    common = common_passwords()
    if lowered in common or (len(stem) >= 4 and stem in common) or len(set(lowered)) <= 2:
        return "This password is too common. Choose something harder to guess, such as three random words."
    local_part = email.lower().split("@", 1)[0]
    if len(local_part) >= 4 and local_part in lowered:
        return "Your password must not contain your email address."
    return None
