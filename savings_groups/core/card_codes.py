"""Member card identifiers: short, opaque, with a check character, read back from noisy input.

A card says "SG-" and nine characters: eight drawn at random and a check character. The
alphabet has 31 characters (no 0, O, 1, I, L, which are misread), a prime number: with the
weights 1 to 9 of a weighted sum modulo 31, any one character changed and any two neighbours
swapped changes the sum, so a mistyped or misread code is refused instead of finding another
member. Nothing in the code says who the member is.
"""

import re
import secrets

PREFIX = "SG-"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BODY = 8  # random characters; 31**8 ≈ 8.5 × 10**11 codes
LENGTH = BODY + 1  # with the check character
VALUE = {c: i for i, c in enumerate(ALPHABET)}

# A scanner set to US English typing on a French (AZERTY) laptop: the keys it presses come out
# as these characters (digits unshifted: é for 2; A/Q and Z/W swapped; the dash as ")"). Only
# text holding one of the characters a code never has is read this way, so that a misread
# code is never turned into another valid one.
AZERTY = str.maketrans("&é\"'(-è_çàQAWZqawz)", "1234567890AQZWAQZW-")
AZERTY_ONLY = set("&é\"'(è_çà)")
CODE = re.compile(r"SG-?([" + ALPHABET + r"]{" + str(LENGTH) + r"})")
SEPARATORS = re.compile(r"[\s\u00a0\u202f\u200b\u2010-\u2015_.]+")


def check_character(body: str) -> str:
    """The character that makes the weighted sum of `body` and itself a multiple of 31."""
    total = sum((i + 1) * VALUE[c] for i, c in enumerate(body))
    weight = len(body) + 1
    # weight × check ≡ −total (mod 31); 31 is prime, so the weight has an inverse.
    return ALPHABET[(-total * pow(weight, -1, len(ALPHABET))) % len(ALPHABET)]


def is_valid(body: str) -> bool:
    """Nine characters of the alphabet whose check character is right."""
    return (
        len(body) == LENGTH
        and all(c in VALUE for c in body)
        and check_character(body[:-1]) == body[-1]
    )


def new_code(choice=secrets.choice) -> str:
    """A fresh random identifier, "SG-" and nine characters; `choice` draws each character (the
    demo passes its seeded generator's, so that a seed gives the same cards)."""
    body = "".join(choice(ALPHABET) for _ in range(BODY))
    return PREFIX + body + check_character(body)


def parse(text: str | None) -> str | None:
    """The identifier in what a scanner or a person typed, as stored ("SG-…"), or None.

    Tolerates spaces, line endings, lower case, a character before or after it and a
    missing "SG-"; a keyboard layout mix-up (AZERTY) is tried when the text as typed fails.
    """
    text = text or ""
    attempts = [text, text.translate(AZERTY)] if AZERTY_ONLY & set(text) else [text]
    for attempt in attempts:
        cleaned = SEPARATORS.sub("", attempt).upper()
        for match in CODE.finditer(cleaned):
            if is_valid(match.group(1)):
                return PREFIX + match.group(1)
        if len(cleaned) == LENGTH and is_valid(cleaned):  # typed without the prefix
            return PREFIX + cleaned
    return None
