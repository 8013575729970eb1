import hashlib
import hmac

import pytest

from sdw.pseudonym import PSEUDONYM_PATTERN, Pseudonymiser, mask_bsns, passes_elfproef


@pytest.mark.parametrize(
    ("bsn", "ok"),
    [
        ("111111110", True),  # 9+8+7+6+5+4+3+2-0 = 44 = 4*11
        ("123456782", True),  # 9+16+21+24+25+24+21+16-2 = 154 = 14*11
        ("123456789", False),  # 9+16+21+24+25+24+21+16-9 = 147, 147 % 11 = 4
        ("999900006", True),  # the reference examples' BSN: 81+72+63+54-6 = 264 = 24*11
        ("000000000", False),  # all zeros is excluded although 0 % 11 == 0
        ("12345678", False),  # 8 digits
        ("12345678a", False),
    ],
)
def test_elfproef(bsn: str, ok: bool) -> None:
    assert passes_elfproef(bsn) is ok


def test_pseudonym_is_keyed_hmac_sha256() -> None:
    key = b"k" * 32
    p = Pseudonymiser(key)("123456782")
    assert p == hmac.new(key, b"123456782", hashlib.sha256).hexdigest()
    assert PSEUDONYM_PATTERN.match(p)
    assert Pseudonymiser(b"x" * 32)("123456782") != p  # another key, another pseudonym
    assert Pseudonymiser(key)("123456782") == p  # deterministic across instances


def test_mask_removes_every_bsn_from_a_fragment() -> None:
    pseudo = Pseudonymiser(b"k" * 32)
    text = "<jw323:Bsn>123456782</jw323:Bsn><x>id 111111110 and 123456789</x><iwmo:Bsn>1</iwmo:Bsn>"
    masked = mask_bsns(text, pseudo)
    assert "123456782" not in masked and "111111110" not in masked
    assert "123456789" in masked  # not a BSN (fails the elfproef), kept for the reader
    p = pseudo("123456782")
    assert f"[bsn:{p[:4]}-{p[4:8]}-{p[8:12]}]" in masked
    assert "<iwmo:Bsn>[bsn:" in masked  # even an invalid value inside a Bsn element is masked


def test_pseudonym_cache_stays_bounded_and_answers_stay_the_same() -> None:
    p = Pseudonymiser(b"k" * 32)
    p.CACHE_LIMIT = 4
    bsns = [f"{i:09d}" for i in range(10)]
    first = [p(b) for b in bsns]
    assert len(p._cache) <= 4  # memory flat however many clients a delivery has
    again = [p(b) for b in reversed(bsns)]
    assert again == list(reversed(first))
    assert first[3] == hmac.new(b"k" * 32, b"000000003", hashlib.sha256).hexdigest()
