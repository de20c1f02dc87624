"""Receipt numbers (受理编号): their format, reading them as typed, and their check characters.

Receipt number format::

    522325-261127-ZF-01-K7Q3-0001-4P
    │      │      │     │    │    └ check characters (Crockford base32, see below)
    │      │      │     │    └ sequence of this window on this day (4 digits, more if needed)
    │      │      │     └ installation tag: 4 random Crockford base32 characters per database
    │      │      └ window id from config.toml (upper case)
    │      └ day of acceptance, YYMMDD (numbers sort by day within a window)
    └ region code of the centre (GB/T 2260)

Windows never coordinate. Two windows with different ids cannot collide. Two installations
misconfigured with the same window id in the same region collide only if their random tags are
equal: 1 in 32**4 = 1,048,576 per pair of such installations (then only on a day both use
the same sequence numbers). The tag lives in the database, so a copy of a database file (a
cloned disk) carries the same tag; a restored backup rewinds the sequence. Both are operator
errors this scheme cannot see.

The check: a pure ISO/IEC 7064-style system over the letters and digits (radix 36, prime
modulus 1021), its value written as two Crockford base32 characters. It detects every
single-character substitution and every transposition of two characters, adjacent or one
apart, so a mistyped number is refused instead of finding nothing or something else. Tag and
check use no I, L, O or U, and digits-only parts are read leniently (O as 0, I and L as 1):
what an applicant reads off a slip is what the window finds.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_MODULUS = 1021  # prime, and below 32**2 so the check fits two Crockford characters
_RADIX = 36
_LOOSE_PATTERN = re.compile(
    r"([0-9OIL]{6})-([0-9OIL]{6})-([0-9A-Z](?:[0-9A-Z-]*[0-9A-Z])?)-([0-9A-Z]{4})-([0-9OIL]{4,})-([0-9A-Z]{2})"
)
_READ_AS_DIGITS = str.maketrans("OIL", "011")  # what a slip's reader confuses



_STRICT_PATTERN = re.compile(r"(\d{6})-(\d{6})-([0-9A-Z](?:[0-9A-Z-]*[0-9A-Z])?)-([0-9A-Z]{4})-(\d{4,})-([0-9A-Z]{2})")


def receipt_owner(receipt_no: str) -> tuple[str, str, str] | None:
    """(region, window id, installation tag) of a canonical receipt number, or ``None``: the
    parts that say which window issued it (the exchange binds them to that window's key)."""
    match = _STRICT_PATTERN.fullmatch(receipt_no)
    return (match[1], match[3], match[4]) if match else None


def format_receipt_no(region: str, day: dt.date, window_id: str, installation_tag: str, sequence: int) -> str:
    """A receipt number, check characters included."""
    body = f"{region}-{day:%y%m%d}-{window_id.upper()}-{installation_tag.upper()}-{sequence:04d}"
    return f"{body}-{_check_characters(body)}"


def normalize_receipt_no(text: str) -> str:
    """As typed → canonical: full-width forms folded (IME input), spaces dropped, upper case,
    and O / I / L read as 0 / 1 where only digits or Crockford characters can stand.

    Text that does not look like a receipt number is returned folded but otherwise as typed.
    """
    folded = "".join(unicodedata.normalize("NFKC", text).split()).upper().replace("—", "-")
    match = _LOOSE_PATTERN.fullmatch(folded)
    if not match:
        return folded
    region, day, window_id, tag, sequence, check = match.groups()
    digits_and_crockford = [part.translate(_READ_AS_DIGITS) for part in (region, day, tag, sequence, check)]
    region, day, tag, sequence, check = digits_and_crockford
    return f"{region}-{day}-{window_id}-{tag}-{sequence}-{check}"


def check_receipt_no(text: str) -> bool:
    """Whether ``text`` (read as :func:`normalize_receipt_no` does) is a well-formed receipt
    number whose check characters match."""
    candidate = normalize_receipt_no(text)
    if not _LOOSE_PATTERN.fullmatch(candidate):
        return False
    return _check_characters(candidate[:-3]) == candidate[-2:]


def _check_characters(body: str) -> str:
    """The two check characters of ``body`` (separators ignored)."""
    remainder = 0
    for char in body:
        if char in _ALPHANUMERIC:
            remainder = ((remainder + _ALPHANUMERIC.index(char)) * _RADIX) % _MODULUS
    remainder = (remainder * _RADIX) % _MODULUS
    value = (_MODULUS + 1 - remainder) % _MODULUS
    return _CROCKFORD[value // 32] + _CROCKFORD[value % 32]
