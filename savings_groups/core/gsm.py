"""How long a text message is: its encoding (GSM-7 or UCS-2), its length and its SMS segments."""

from dataclasses import dataclass

# The GSM 03.38 default alphabet (one septet each) and its extension table (two septets each:
# the escape and the character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
# Spaces a formatter writes (Babel's French groups thousands with U+202F) that a phone would
# send as UCS-2; a plain space says the same.
SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "}

SINGLE = {"GSM-7": 160, "UCS-2": 70}  # characters in a message of one segment
PART = {"GSM-7": 153, "UCS-2": 67}  # characters in each segment of a longer message


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # septets for GSM-7 (an extension character counts 2), UTF-16 units else
    segments: int


def plain_spaces(text: str) -> str:
    """The text with the no-break and thin spaces of number formatting made plain spaces."""
    return "".join(SPACES.get(char, char) for char in text)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_length(text: str) -> SmsLength:
    """The encoding a phone sends `text` in, its length in that encoding and the number of
    segments (a long message is split into parts of 153 septets or 67 UCS-2 units)."""
    if is_gsm7(text):
        encoding = "GSM-7"
        count = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    else:
        encoding = "UCS-2"
        count = len(text.encode("utf-16-le")) // 2
    if count == 0:
        segments = 0
    elif count <= SINGLE[encoding]:
        segments = 1
    else:
        segments = -(-count // PART[encoding])
    return SmsLength(encoding, count, segments)
