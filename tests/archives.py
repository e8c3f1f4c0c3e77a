"""ZIP archives for the upload tests, written byte by byte so that a part may declare any size.

The bombs among them unpack to a GiB or more yet are built in about a megabyte of memory: the
compressed form of one MiB of zeros is made once and repeated.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

MiB = 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_DIRECTORY_ENTRY = struct.Struct("<4s4B4HL2L5H2L")
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
_DEFLATED = 8
_JANUARY_1980 = 0x21  # the earliest date a ZIP can hold


@dataclass(frozen=True)
class Part:
    name: str
    stream: bytes  # raw deflate stream
    crc: int
    size: int  # the unpacked size the archive declares


def deflated(name: str, content: bytes) -> Part:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(content) + compressor.flush()
    return Part(name, stream, zlib.crc32(content), len(content))


@cache
def _deflated_zeros(prefix: bytes, mib: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of `prefix` then `mib` MiB of zeros, its CRC-32 and unpacked size.

    One MiB of zeros is compressed once and ends in a full flush, which aligns it to a byte and
    lets nothing after it refer back into it, so the same bytes stand for every further MiB.
    """
    zeros = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(prefix)
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return head + block * mib + compressor.flush(), crc, len(prefix) + mib * MiB


def zeros_part(name: str, mib: int, *, prefix: bytes = b"", declared: int | None = None) -> Part:
    """A part that unpacks to `prefix` and `mib` MiB of zeros; it may declare another size."""
    stream, crc, size = _deflated_zeros(prefix, mib)
    return Part(name, stream, crc, size if declared is None else declared)


def zip_of(parts: Sequence[Part]) -> bytes:
    """A ZIP archive of deflated parts, each declaring the size its `Part` says."""
    body: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for part in parts:
        name = part.name.encode()
        sizes = (part.crc, len(part.stream), part.size, len(name))
        local = _LOCAL_HEADER.pack(b"PK\x03\x04", 20, 0, 0, _DEFLATED, 0, _JANUARY_1980, *sizes, 0)
        entry = _DIRECTORY_ENTRY.pack(
            b"PK\x01\x02",
            20,
            0,
            20,
            0,
            0,
            _DEFLATED,
            0,
            _JANUARY_1980,
            *sizes,
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        body += [local, name, part.stream]
        directory += [entry, name]
        offset += len(local) + len(name) + len(part.stream)
    listing = b"".join(directory)
    end = _END_OF_DIRECTORY.pack(
        b"PK\x05\x06", 0, 0, len(parts), len(parts), len(listing), offset, 0
    )
    return b"".join(body) + listing + end


def odt_bomb(mib: int = 1024, *, declared: int | None = None) -> bytes:
    """An ODT, by its `mimetype` part, whose `mimetype` then unpacks to `mib` MiB of zeros."""
    return zip_of(
        [
            zeros_part("mimetype", mib, prefix=ODT_MIMETYPE, declared=declared),
            deflated("content.xml", b"<office:document-content/>"),
        ]
    )
