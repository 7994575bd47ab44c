"""Accent folding."""

from __future__ import annotations

import unicodedata

import pytest

from vigil.lib.textnorm import fold, fold_aligned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lừa ĐẢO", "lua dao"),
        ("lừa dao", "lua dao"),
        ("Đường Nguyễn Huệ", "duong nguyen hue"),
        ("Ngân hàng TMCP Ngoại Thương Việt Nam", "ngan hang tmcp ngoai thuong viet nam"),
        ("ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳýỷỹỵ", "aaaaa aaaaa eeeee ooooo ooooo uuuuu yyyyy"),
        (unicodedata.normalize("NFD", "Việt Nam"), "viet nam"),
        ("VCB-OTP 123", "vcb-otp 123"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize("text", ["Số TK: 0123", "Nguyễn Văn Ánh", "İstanbul", "ĐẢO"])
def test_fold_aligned_keeps_length(text: str) -> None:
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    assert folded.replace("i̇", "i") == fold_aligned(text)
