"""Password hashing (Argon2id) and the rules a new password must meet."""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 would take longer ones, but nobody types them and they cost time to hash.

# argon2-cffi's defaults are RFC 9106's second recommended profile: Argon2id, t=3, m=64 MiB, p=4.
_hasher = PasswordHasher()

# A common password with digits or punctuation stuck on the end is still a common password.
_TRAILING_DECORATION = re.compile(r"[\d\W_]+$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash of a throwaway password, verified against when an email is unknown so that the time a
# failed sign-in takes does not reveal whether the account exists.
DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


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
