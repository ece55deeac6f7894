"""How a trustee report writes its figures: 万元 to two decimals rounded half up from the fen,
per 100 CNY of face to four, the note factor to six — all exact (Decimal, no float) — and
every label in both languages."""

from __future__ import annotations

import pytest

from trustsim.reports.document import wan
from trustsim.reports.i18n import LABELS, Labels
from trustsim.reports.trustee import factor, pct, per_100


def test_wan_rounds_half_up_from_the_fen_exactly():
    assert wan(5_000) == "0.01"              # 0.005 万元: half up
    assert wan(4_999) == "0.00"
    assert wan(-5_000) == "-0.01"
    assert wan(89_000_000_000) == "89,000.00"
    # a float would print 123,456,789,012.35 for 0.345 exactly on the half: Decimal does not drift
    assert wan(123_456_789_012_345_000) == "123,456,789,012.35"
    assert wan(None) == ""


def test_per_100_cny_of_face_and_the_note_factor():
    # senior series 1's interest on 2020-12-18: 8,924,383.56 CNY on 890,000,000 CNY of face
    assert per_100(892_438_356, 89_000_000_000) == "1.0027"
    assert per_100(89_000_000_000, 89_000_000_000) == "100.0000"
    assert per_100(1, 0) is None
    assert factor(1, 3) == "0.333333" and factor(2, 3) == "0.666667"
    assert pct(243_858_651, 100_002_380_000) == "0.2439"


def test_every_label_is_in_both_languages():
    zh, en = Labels("zh"), Labels("en")
    for key, (e, z) in LABELS.items():
        assert e and z, key
        assert any(ord(c) >= 0x2E80 for c in z) or z == e or not any(c.isalpha() for c in z), key
    assert zh("title") == "受托机构报告" and en("title") == "Trustee report"
    assert zh("series_row", n=2) == "第2期" and en("series_row", n=2) == "series 2"
    with pytest.raises(ValueError, match="language 'fr' is not one of zh, en"):
        Labels("fr")
