"""The passphrase word lists, generation and canonical form (protocol section 3)."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from importlib import resources

import pytest

from e2ee_nvr_protocol import passphrase
from e2ee_nvr_protocol.errors import InvalidPassphrase

# SHA-256 of the shipped EFF list (words only, one per line, EFF order): catches any edit.
EFF_WORDLIST_SHA256 = "6d557f0693958fb5e650b68b5bee585eb82cf4da32965505c789e924743bc522"
WORDLISTS = resources.files("e2ee_nvr_protocol").joinpath("wordlists")


def _lines(name: str) -> list[str]:
    return WORDLISTS.joinpath(name).read_text("utf-8").splitlines()


def test_eff_wordlist_is_the_unmodified_list() -> None:
    raw = WORDLISTS.joinpath(passphrase.WORDLIST_FILE).read_bytes()
    words = raw.decode("ascii").splitlines()
    assert len(words) == 7776
    assert len(set(words)) == 7776
    assert all(re.fullmatch(r"[a-z-]+", word) for word in words)
    assert words[0] == "abacus" and words[-1] == "zoom"
    assert hashlib.sha256(raw).hexdigest() == EFF_WORDLIST_SHA256


def test_denylist_is_sorted_unique_and_drawn_from_the_eff_list() -> None:
    denied = _lines(passphrase.DENYLIST_FILE)
    eff = set(_lines(passphrase.WORDLIST_FILE))
    assert denied == sorted(set(denied))
    assert [word for word in denied if word not in eff] == []
    assert 100 <= len(denied) <= 644  # 7776 - 644 = 7132 keeps W at 10


def test_hyphenated_eff_words_are_filtered_because_the_canonical_form_splits_them() -> None:
    hyphenated = [word for word in _lines(passphrase.WORDLIST_FILE) if "-" in word]
    assert hyphenated == ["drop-down", "felt-tip", "t-shirt", "yo-yo"]
    assert not set(hyphenated) & set(passphrase.filtered_wordlist())


def test_licence_file_names_source_and_licence() -> None:
    text = WORDLISTS.joinpath("LICENSE-EFF-wordlist.txt").read_text("utf-8")
    assert "CC BY 3.0 US" in text and "https://www.eff.org/dice" in text


def test_filtered_list_keeps_eff_order_and_only_plain_words() -> None:
    words = passphrase.filtered_wordlist()
    eff = _lines(passphrase.WORDLIST_FILE)
    denied = set(_lines(passphrase.DENYLIST_FILE))
    assert list(words) == [word for word in eff if word not in denied]
    assert all(re.fullmatch(r"[a-z]+", word) for word in words)
    assert len(words) >= 7132


def test_word_count_gives_at_least_128_bits() -> None:
    size = len(passphrase.filtered_wordlist())
    assert passphrase.WORD_COUNT == math.ceil(128 / math.log2(size)) == 10
    assert passphrase.entropy_bits() >= 128
    # One word fewer would not reach 128 bits: W is the smallest count that does.
    assert (passphrase.WORD_COUNT - 1) * math.log2(size) < 128


def test_generated_passphrases_use_list_words_and_are_canonical() -> None:
    allowed = set(passphrase.filtered_wordlist())
    phrases = [passphrase.generate_passphrase() for _ in range(200)]
    assert len(set(phrases)) == len(phrases)
    for phrase in phrases:
        words = phrase.split(" ")
        assert len(words) == passphrase.WORD_COUNT
        assert set(words) <= allowed
        assert passphrase.canonical_passphrase(phrase) == phrase


def test_generation_smoke_uniformity() -> None:
    # 2000 phrases = 20000 draws over ~7447 words: with a uniform draw no word comes up 19
    # times (expected 2.7; the chance is below 1e-6), while a modulo or truncation bug that
    # favours a small range would push some words far higher or leave the tail of the list empty.
    words = passphrase.filtered_wordlist()
    counts = Counter(w for _ in range(2000) for w in passphrase.generate_passphrase().split())
    assert max(counts.values()) <= 18
    position = {word: index for index, word in enumerate(words)}
    drawn_positions = [position[word] for word in counts.elements()]
    assert sum(1 for p in drawn_positions if p >= len(words) // 2) > 9000
    assert sum(1 for p in drawn_positions if p >= len(words) - 500) > 900


@pytest.mark.parametrize(
    "typed",
    [
        "  Abacus-ABDOMEN  abide ability ablaze able abroad absence absolute absurd ",
        "abacus abdomen abide ability ablaze able abroad absence absolute absurd",
        "ABACUS\tABDOMEN\nabide, ability; ablaze. able! abroad 1 absence 2 absolute 3 absurd",
        # Fullwidth letters, which NFKC maps to ASCII.
        "\uff21\uff42\uff41\uff43\uff55\uff53 abdomen abide ability ablaze able abroad absence"
        " absolute absurd",
        "abacus--abdomen__abide//ability..ablaze  able  abroad absence absolute ABSURD",
    ],
)
def test_canonical_form_normalises_typing(typed: str) -> None:
    expected = "abacus abdomen abide ability ablaze able abroad absence absolute absurd"
    assert passphrase.canonical_passphrase(typed) == expected


@pytest.mark.parametrize("count", [0, 1, 9, 11, 20])
def test_wrong_word_count_is_invalid(count: int) -> None:
    typed = " ".join(["abacus"] * count)
    with pytest.raises(InvalidPassphrase, match=f"expected 10 words, got {count}"):
        passphrase.canonical_passphrase(typed)


def test_hyphenated_word_counts_as_two() -> None:
    with pytest.raises(InvalidPassphrase, match="got 11"):
        passphrase.canonical_passphrase("t-shirt " + "abacus " * 9)


def test_unknown_words_are_named_by_position_with_suggestions() -> None:
    typed = "abacus abdomen abiide ability ablaze able abroad absense absolute qqqqqq"
    with pytest.raises(InvalidPassphrase) as caught:
        passphrase.canonical_passphrase(typed)
    message = str(caught.value)
    assert "word 3 (did you mean 'abide'?)" in message
    assert "word 8 (did you mean 'absence'?)" in message
    assert "word 10" in message and "word 10 (" not in message
    assert "word 1 " not in message and "word 2 " not in message
    # The typed (possibly secret) words are never echoed.
    assert "abiide" not in message and "qqqqqq" not in message


def test_denied_word_is_not_accepted() -> None:
    with pytest.raises(InvalidPassphrase, match="word 1"):
        passphrase.canonical_passphrase("dagger " + "abacus " * 9)


def test_overlong_text_is_invalid() -> None:
    with pytest.raises(InvalidPassphrase):
        passphrase.canonical_passphrase("abacus " * 1000)
