"""The weighted vocabularies and how phrases are matched."""

from __future__ import annotations

import re

import pytest

from vigil.lib.detectors.vocab import Term, Vocabulary, load_terms, prepare

FILES = {
    "gambling_terms.csv": {"game", "brand", "cta", "news"},
    "scam_terms.csv": {
        "bait",
        "method",
        "negative",
        "promise",
        "vehicle",
        "offer",
        "flag",
        "authority",
        "threat",
        "action",
        "lure",
        "contact",
    },
}


@pytest.mark.parametrize("filename", FILES)
def test_term_files_are_well_formed(filename: str) -> None:
    terms = load_terms(filename)
    assert len(terms) > 50
    seen = set()
    for term in terms:
        assert term.kind in FILES[filename], term
        assert 0 < term.weight <= 5, term
        if term.phrase.startswith("re:"):
            re.compile(term.phrase[3:])
        key = (term.group, term.kind, term.phrase)
        assert key not in seen, key
        seen.add(key)
    Vocabulary(terms).find(prepare("x"))


def test_accent_sensitive_terms_keep_their_meaning() -> None:
    vocabulary = Vocabulary([Term("lô đề", "game", 3, fold=False), Term("cược", "game", 1, fold=False)])
    assert vocabulary.find(prepare("Đừng lo để mất cuộc sống yên bình, mọi cuộc gọi đều miễn phí.")) == []
    found = vocabulary.find(prepare("Chơi lô đề, đặt cược online ở đây, rất dễ thắng"))
    assert [h.term.phrase for h in found] == ["lô đề", "cược"]
    # Text with no diacritics at all is matched folded: there is nothing else to go by.
    assert [h.term.phrase for h in vocabulary.find(prepare("choi lo de online, dat cuoc"))] == [
        "lô đề",
        "cược",
    ]


def test_whole_words_only_and_counts() -> None:
    vocabulary = Vocabulary([Term("casino", "game", 2), Term("kèo", "game", 1)])
    assert vocabulary.find(prepare("casinos and kèoo")) == []
    [hit] = vocabulary.find(prepare("Casino, CASINO và casino!"))
    assert (hit.count, hit.matched) == (3, "Casino")


def test_underscores_and_spacing_do_not_hide_words() -> None:
    [hit] = Vocabulary([Term("quá hạn sẽ không được chấp nhận", "threat", 2)]).find(
        prepare("QUA_HAN SE   KHONG_DUOC CHAP NHAN!")
    )
    assert hit.count == 1


def test_pattern_terms() -> None:
    vocabulary = Vocabulary([Term(r"re:\d+\s*k\s*/\s*ngay", "bait", 3)])
    assert vocabulary.find(prepare("Thu nhập 500k/ngày")) != []
    assert vocabulary.find(prepare("Giá 500k một bộ")) == []
