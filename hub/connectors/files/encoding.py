"""Which text encoding a file is in: UTF-8 (with or without BOM) first, then Turkish code pages.

The guess is made from samples of the head, middle and tail of the file, never the whole file.
UTF-8 wins whenever the samples decode as UTF-8, so UTF-8 text is never garbled. Otherwise the
Turkish single-byte code pages are scored by how many of the decoded non-ASCII characters are
letters a Turkish (or Western European) export would hold; ``charset-normalizer`` decides only
when none of them fits.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import BinaryIO

from hub.connectors.files.errors import FileFormatError

SAMPLE_BYTES = 64 * 1024
_UNSUPPORTED_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# Letters that make a decoded sample plausible: Turkish first, then common Western European ones.
_PLAUSIBLE = frozenset("çğıöşüÇĞİÖŞÜâîûÂÎÛäëïéèêàáíìóòôúùñßÄÉÈÁÍÓÚÑ€’‘“”–—…•«»°²³½")
_SINGLE_BYTE_TURKISH = ("cp1254", "iso8859_9", "cp857")


@dataclass(frozen=True, slots=True)
class DetectedEncoding:
    """The codec to decode rows with, and how many BOM bytes precede the first row."""

    name: str
    bom_bytes: int = 0


def check_codec(name: str) -> str:
    """The normalised codec name for ``name``; ``LookupError`` when Python does not know it."""
    return codecs.lookup(name).name


def _whole_lines(chunk: bytes, at_start: bool, at_end: bool) -> bytes:
    if not at_start:
        chunk = chunk.partition(b"\n")[2]
    if not at_end:
        chunk = chunk[: chunk.rfind(b"\n") + 1]
    return chunk


def read_samples(handle: BinaryIO, size: int) -> list[bytes]:
    """Whole-line samples of the head, middle and tail of a file of ``size`` bytes."""
    starts = [0]
    if size > 3 * SAMPLE_BYTES:
        starts += [size // 2, size - SAMPLE_BYTES]
    elif size > SAMPLE_BYTES:
        starts.append(SAMPLE_BYTES)
    samples = []
    for start in starts:
        handle.seek(start)
        chunk = handle.read(SAMPLE_BYTES)
        samples.append(_whole_lines(chunk, start == 0, start + len(chunk) >= size))
    return samples


def _plausibility(sample: bytes, codec: str) -> float:
    text = sample.decode(codec, "replace")
    foreign = [ch for ch in text if ord(ch) > 127]
    if not foreign:
        return 0.0
    return sum(ch in _PLAUSIBLE for ch in foreign) / len(foreign)


def _strictly_decodes(sample: bytes, codec: str) -> bool:
    try:
        sample.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def guess_single_byte(sample: bytes) -> str:
    """The most plausible single-byte codec for a sample that is not UTF-8."""
    scores = {codec: _plausibility(sample, codec) for codec in _SINGLE_BYTE_TURKISH}
    best = max(scores, key=lambda codec: scores[codec])
    if scores[best] >= 0.5:
        if best == "cp1254" and not _strictly_decodes(sample, "cp1254"):
            # ISO-8859-9 is cp1254 minus the 0x80-0x9F printables; bytes cp1254 leaves undefined
            # can only come from it.
            return "iso8859_9"
        return best
    from charset_normalizer import from_bytes

    match = from_bytes(sample).best()
    if match is not None and _strictly_decodes(sample, match.encoding):
        return check_codec(match.encoding)
    return "cp1254" if _strictly_decodes(sample, "cp1254") else "iso8859_9"


def detect_encoding(handle: BinaryIO, size: int, file_name: str, configured: str = "auto") -> DetectedEncoding:
    """The encoding of an open binary file of ``size`` bytes: ``configured`` unless it is ``auto``."""
    handle.seek(0)
    head = handle.read(4)
    if configured != "auto":
        name = check_codec(configured)
        if name in ("utf-8", "utf-8-sig"):
            return DetectedEncoding("utf-8", len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0)
        return DetectedEncoding(name)
    if head.startswith(codecs.BOM_UTF8):
        return DetectedEncoding("utf-8", len(codecs.BOM_UTF8))
    for bom, name in _UNSUPPORTED_BOMS:
        if head.startswith(bom):
            raise FileFormatError(f"{file_name} is {name}; save it as UTF-8 (or set encoding for a single-byte file)")
    samples = read_samples(handle, size)
    foreign = [line for sample in samples for line in sample.split(b"\n") if not line.isascii()]
    not_utf8 = [line for line in foreign if not _strictly_decodes(line, "utf-8")]
    # One line of real (non-ASCII) UTF-8 settles it: in a mixed file the other lines are then
    # reported as encoding errors, where a single-byte guess would silently garble the UTF-8 ones.
    if len(not_utf8) < len(foreign) or not not_utf8:
        return DetectedEncoding("utf-8")
    return DetectedEncoding(guess_single_byte(b"\n".join(not_utf8)))
