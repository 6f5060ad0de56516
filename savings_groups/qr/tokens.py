"""Signed tokens of printed statements: what a QR code carries, checked by anyone with a phone.

A token is `payload + mac`, written in base32 (RFC 4648 alphabet, no padding), so that the same
string is the link's last part and a code a person can type from the paper without mixing up
upper and lower case. The payload (binary, compact) is:

    format version (1 byte) · document kind (1 byte) · key id · record · date · the figures

where the key id, the record (the document's row in the books: a meeting, a loan, a cycle…) and
every number are variable-length integers (signed ones zigzag-coded), the date a count of days
since 2000-01-01, and each text a length then UTF-8. The figures are those of the document's kind
(FIELDS), in that order. The MAC is HMAC-SHA256 of the payload with the key named by its id,
truncated to MAC_BYTES (96 bits). Pure: no database, no files; keys are passed in.
"""

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

FORMAT_VERSION = 1
MAC_BYTES = 12  # 96 bits
EPOCH = date(2000, 1, 1).toordinal()
ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")  # base32, RFC 4648
MAX_LENGTH = 400  # characters: far more than any document needs, so no huge input is decoded

# The figures each kind of document carries, in order: (name, type), type "int" or "text".
# Amounts are in minor units; a document shows every one of them (nothing the paper lacks).
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "receipt": (
        ("currency", "text"),
        ("member_number", "int"),
        ("initials", "text"),
        ("shares", "int"),
        ("savings", "int"),
        ("social_fund", "int"),
        ("repaid", "int"),
        ("fines", "int"),
        ("paid", "int"),
        ("loan_received", "int"),
        ("welfare", "int"),
        ("shares_to_date", "int"),
        ("savings_to_date", "int"),
    ),
    "slip": (
        ("currency", "text"),
        ("cycle_number", "int"),
        ("member_number", "int"),
        ("initials", "text"),
        ("shares", "int"),
        ("saved", "int"),
        ("profit", "int"),
        ("deducted", "int"),
        ("social_fund", "int"),
        ("received", "int"),
    ),
    "loan": (
        ("currency", "text"),
        ("member_number", "int"),
        ("initials", "text"),
        ("principal", "int"),
        ("rate", "text"),
        ("rate_period", "text"),
        ("periods", "int"),
    ),
    "passbook": (
        ("currency", "text"),
        ("cycle_number", "int"),
        ("member_number", "int"),
        ("initials", "text"),
        ("shares", "int"),
        ("savings", "int"),
        ("social_fund", "int"),
        ("fines", "int"),
        ("welfare_received", "int"),
        ("paid_out", "int"),
    ),
    "tontine_passbook": (
        ("currency", "text"),
        ("rotation_number", "int"),
        ("member_number", "int"),
        ("initials", "text"),
        ("paid", "int"),
        ("received", "int"),
        ("fines", "int"),
        ("balance", "int"),
    ),
    "rosca_receipt": (
        ("currency", "text"),
        ("rotation_number", "int"),
        ("round_number", "int"),
        ("collected", "int"),
        ("payout", "int"),
        ("recipients", "text"),
    ),
    "lender_record": (
        ("currency", "text"),
        ("member_number", "int"),
        ("initials", "text"),
        ("cycles", "int"),
        ("savings", "int"),
        ("loans_taken", "int"),
        ("borrowed", "int"),
        ("loans_late", "int"),
        ("attendance_percent", "int"),
    ),
}
KINDS = tuple(FIELDS)  # the kind's byte is its place here, from 1: only ever add at the end


@dataclass(frozen=True)
class Statement:
    """What a printed document's token holds: its kind, the record it comes from, its date and
    its figures (name → int or str, in the order of FIELDS[kind])."""

    kind: str
    record: int
    on: date
    figures: dict


@dataclass(frozen=True)
class Verified:
    """A token whose MAC is right: the statement and the id of the key that signed it."""

    statement: Statement
    key_id: int


class TokenError(ValueError):
    """A token that cannot be trusted; `reason` says why: malformed, truncated, version,
    unknown_key or altered."""

    def __init__(self, reason: str, key_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.key_id = key_id


# --- encoding -------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


def _payload(statement: Statement, key_id: int) -> bytes:
    fields = FIELDS[statement.kind]
    if list(statement.figures) != [name for name, _type in fields]:
        raise ValueError(f"figures of a {statement.kind} must be {[n for n, _t in fields]}")
    out = bytearray([FORMAT_VERSION, KINDS.index(statement.kind) + 1])
    out += _varint(key_id) + _varint(statement.record)
    out += _varint(_zigzag(statement.on.toordinal() - EPOCH))
    for name, kind in fields:
        value = statement.figures[name]
        if kind == "int":
            out += _varint(_zigzag(int(value)))
        else:
            text = str(value).encode("utf-8")
            out += _varint(len(text)) + text
    return bytes(out)


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:MAC_BYTES]


def sign(statement: Statement, key_id: int, key: bytes) -> str:
    """The token of a statement, signed with the key `key_id`."""
    payload = _payload(statement, key_id)
    return base64.b32encode(payload + _mac(key, payload)).decode("ascii").rstrip("=")


# --- decoding -------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """A token as typed or pasted: the link's last part, upper case, without the spaces and
    dashes the paper groups it with."""
    text = (text or "").strip().rstrip("/").rsplit("/", 1)[-1].split("#")[-1]
    return "".join(ch for ch in text.upper() if ch not in " -\t\r\n")


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            raise TokenError("truncated")
        self.at += 1
        return self.data[self.at - 1]

    def varint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
            if shift > 63:
                raise TokenError("malformed")

    def text(self) -> str:
        length = self.varint()
        if self.at + length > len(self.data):
            raise TokenError("truncated")
        raw = self.data[self.at : self.at + length]
        self.at += length
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise TokenError("altered") from error


def _decode_bytes(token: str) -> bytes:
    text = normalise(token)
    if not text or len(text) > MAX_LENGTH or not set(text) <= ALPHABET:
        raise TokenError("malformed")
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as error:  # a length base32 never makes
        raise TokenError("truncated") from error


def _parse(payload: bytes) -> tuple[Statement, int]:
    reader = _Reader(payload)
    if reader.byte() != FORMAT_VERSION:
        raise TokenError("version")
    kind_index = reader.byte()
    if not 1 <= kind_index <= len(KINDS):
        raise TokenError("altered")
    kind = KINDS[kind_index - 1]
    key_id = reader.varint()
    record = reader.varint()
    ordinal = _unzigzag(reader.varint()) + EPOCH
    if not date.min.toordinal() <= ordinal <= date.max.toordinal():
        raise TokenError("altered")
    figures = {}
    for name, kind_of in FIELDS[kind]:
        figures[name] = _unzigzag(reader.varint()) if kind_of == "int" else reader.text()
    if reader.at != len(payload):
        raise TokenError("altered")
    return Statement(kind, record, date.fromordinal(ordinal), figures), key_id


def key_id_of(token: str) -> int:
    """The id of the key a token says it was signed with (unchecked): to find the key."""
    data = _decode_bytes(token)
    if len(data) <= MAC_BYTES + 2:
        raise TokenError("truncated")
    reader = _Reader(data[2:-MAC_BYTES])
    return reader.varint()


def verify(token: str, keys: dict[int, bytes]) -> Verified:
    """The statement of a token whose MAC is right with one of `keys` (id → key); else
    TokenError with the reason."""
    data = _decode_bytes(token)
    if len(data) <= MAC_BYTES + 2:
        raise TokenError("truncated")
    payload, mac = data[:-MAC_BYTES], data[-MAC_BYTES:]
    if payload[0] != FORMAT_VERSION:
        raise TokenError("version")
    try:
        key_id = _Reader(payload[2:]).varint()
    except TokenError as error:
        raise TokenError("truncated") from error
    key = keys.get(key_id)
    if key is None:
        raise TokenError("unknown_key", key_id)
    if not hmac.compare_digest(_mac(key, payload), mac):
        # A MAC that fails on a payload that no longer parses was most likely cut short.
        try:
            _parse(payload)
        except TokenError as error:
            raise TokenError("truncated" if error.reason == "truncated" else "altered") from error
        raise TokenError("altered", key_id)
    statement, _key_id = _parse(payload)
    return Verified(statement, key_id)


def initials(full_name: str) -> str:
    """A member's initials as the paper shows the name: the first letter of each word."""
    return "".join(word[0] for word in full_name.split() if word).upper()


def grouped(token: str, size: int = 4) -> str:
    """A token in groups of `size` characters, for the paper and for typing it back."""
    return " ".join(token[i : i + size] for i in range(0, len(token), size))
