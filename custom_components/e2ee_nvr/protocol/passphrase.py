"""The account passphrase: word list, generation and canonical form (protocol section 3)."""

from __future__ import annotations

import difflib
import functools
import math
import re
import secrets
import unicodedata
from importlib import resources
from typing import Final

from .errors import InvalidPassphrase
from .primitives import sha256

SECURITY_BITS: Final = 128
WORDLIST_FILE: Final = "eff_large_wordlist.txt"
DENYLIST_FILE: Final = "eff_large_denylist.txt"

# The filtered list is part of the protocol: a passphrase made from it must canonicalise the
# same way in every implementation and in every later release. Adding a word to the denylist
# would turn existing passphrases that contain it into InvalidPassphrase, so the digest of the
# filtered list (words joined by "\n") is pinned here and checked when the lists load.
FILTERED_WORDLIST_SHA256: Final = "b10d5c5ddf9df1b31057b9d08c1e5a1302b2f3384e1894be909ff81f076b9703"

# A typed passphrase is W words of at most 9 letters; anything far longer is not a passphrase,
# and bounding it keeps NFKC and difflib work small whatever is pasted in.
MAX_TYPED_CHARS: Final = 1024
_NOT_LETTERS_RE: Final = re.compile(r"[^a-z]+")
# difflib ratio above which a list word is offered as the likely intended word.
_SUGGESTION_CUTOFF: Final = 0.75

_PACKAGE: Final = __name__.rpartition(".")[0]


def _read_lines(name: str) -> list[str]:
    # Package-relative, so it works under both import names and from a wheel or a zip.
    text = resources.files(_PACKAGE).joinpath("wordlists").joinpath(name).read_text("utf-8")
    return text.splitlines()


@functools.cache
def filtered_wordlist() -> tuple[str, ...]:
    """The passphrase alphabet: the EFF large list minus the denylist, in EFF order."""
    words = _read_lines(WORDLIST_FILE)
    denied = set(_read_lines(DENYLIST_FILE))
    filtered = tuple(word for word in words if word not in denied)
    digest = sha256("\n".join(filtered).encode("ascii")).hex()
    if digest != FILTERED_WORDLIST_SHA256:
        raise RuntimeError("the shipped passphrase word lists were altered or damaged")
    return filtered


@functools.cache
def _word_set() -> frozenset[str]:
    return frozenset(filtered_wordlist())


def _word_count(list_size: int) -> int:
    # Enough words that W * log2(N) >= 128.
    return math.ceil(SECURITY_BITS / math.log2(list_size))


WORD_COUNT: Final = _word_count(len(filtered_wordlist()))


def entropy_bits() -> float:
    """Bits of entropy of a generated passphrase: W * log2(N)."""
    return WORD_COUNT * math.log2(len(filtered_wordlist()))


def generate_passphrase() -> str:
    """W words drawn independently and uniformly from the filtered list, joined by spaces."""
    words = filtered_wordlist()
    # secrets.randbelow samples [0, N) without modulo bias (it rejects out-of-range draws).
    return " ".join(words[secrets.randbelow(len(words))] for _ in range(WORD_COUNT))


def canonical_passphrase(typed: str) -> str:
    """Normalise typed text to the KDF input form, or raise InvalidPassphrase.

    NFKC, casefold, every run of characters other than a-z becomes one space, trimmed; the
    result must be exactly W words of the filtered list. The error message names the 1-based
    positions of unknown words and, where one is close, the list word probably meant. It never
    repeats what was typed, but a suggestion is likely a word of the passphrase, so callers show
    the message to the person typing and MUST NOT log it.
    """
    if len(typed) > MAX_TYPED_CHARS:
        raise InvalidPassphrase(f"expected {WORD_COUNT} words, got a text far too long")
    folded = unicodedata.normalize("NFKC", typed).casefold()
    canonical = _NOT_LETTERS_RE.sub(" ", folded).strip()
    words = canonical.split(" ") if canonical else []
    if len(words) != WORD_COUNT:
        raise InvalidPassphrase(f"expected {WORD_COUNT} words, got {len(words)}")
    known = _word_set()
    unknown = [(position, word) for position, word in enumerate(words, 1) if word not in known]
    if unknown:
        raise InvalidPassphrase(_describe_unknown(unknown))
    return canonical


def _describe_unknown(unknown: list[tuple[int, str]]) -> str:
    parts = []
    for position, word in unknown:
        close = difflib.get_close_matches(word, filtered_wordlist(), n=1, cutoff=_SUGGESTION_CUTOFF)
        parts.append(
            f"word {position} (did you mean {close[0]!r}?)" if close else f"word {position}"
        )
    noun = "word is" if len(unknown) == 1 else "words are"
    return f"{noun.capitalize()} not in the list: " + ", ".join(parts)
