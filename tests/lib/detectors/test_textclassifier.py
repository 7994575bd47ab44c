"""The text classifier's model API, file format and detector, on a small corpus written here.

These tests need no research data; tests/collection/test_classifier.py trains on the real
corpora through ``vigil train``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from vigil.lib.detectors import PageFacts, textdata
from vigil.lib.detectors.textclassifier import (
    ENV_MODEL,
    ModelError,
    TextClassifier,
    class_labels,
    detect_sms_spam,
    load,
    metrics_path,
    model_path,
    signals,
    sklearn_version,
)

SPAM = [
    "Chuc mung ban trung thuong 50 trieu, bam vao https://quatang-vip.top de nhan ngay",
    "Tai khoan cua ban bi khoa, dang nhap https://vcb-xacthuc.xyz de xac thuc",
    "Viec nhe luong cao, lam nhiem vu tha tim 500k/ngay, lien he Zalo 0912345678",
    "Vay tien online khong tham dinh, chi can CCCD, giai ngan trong ngay, LH 0987654321",
    "Nha cai uy tin, nap dau tang 100%, no hu tai xiu, link vao https://t.ly/abc",
    "Bạn đã trúng thưởng iPhone 15, truy cập https://trian-khachhang.icu để nhận quà",
    "Tài khoản của bạn sắp bị khóa, xác thực ngay tại https://acb-online.top",
    "Tuyển CTV online làm việc tại nhà, thu nhập 1tr/ngày, kết bạn Telegram t.me/job",
    "Đầu tư USDT lợi nhuận 3%/ngày, cam kết x2 tài khoản, nhóm VIP Telegram",
    "Nhận tiền hỗ trợ BHXH tại www.nhantrocap.icu, quá hạn sẽ không được chấp nhận",
    "URGENT! You have won a 1000 GBP prize. Call 09061701461 to claim now",
    "Free entry to win a new phone! Text WIN to 80086 now, T&C apply",
    "Your account is suspended, verify at http://paypa1-secure.xyz today",
    "Congratulations! You won a cash prize, claim at http://win-cash.top",
    "Earn $300 per day from home, no experience needed, WhatsApp us",
    "Dang ky nhan 88K mien phi, nap dau nhan 188K, rut tien sieu toc t.ly/xyz",
    "Khuyen mai 50% the nap, soan DK gui 9123 de nhan qua tang, tu choi soan TC",
    "Ban duoc tang 100GB data, bam https://data-free.top/nhan de kich hoat",
    "WINNER!! You are selected for a 500 prize reward, call 0800 123 456",
    "Cap nhat dinh danh muc 2 tai https://vneid-gov.com de tranh bi khoa",
]
HAM = [
    "Chieu nay em ve muon, anh don con giup em nhe",
    "Ma OTP cua ban la 482913, khong chia se cho ai",
    "Mai 8h hop phong 301 nha moi nguoi",
    "Con nho an com day du, me gui do an qua xe roi",
    "Tối nay đi ăn lẩu không? Quán cũ nhé",
    "Anh đến nơi chưa, em đang đợi ở cổng trường",
    "Cảm ơn chị, em nhận được hàng rồi ạ",
    "Nhớ mang theo giấy tờ khi đi làm thủ tục nhé",
    "Hôm nay trời mưa to, đi đường cẩn thận",
    "Bố ơi con thi xong rồi, được 9 điểm toán",
    "Ok see you at the station at 7",
    "Can you pick up some milk on the way home?",
    "Sorry I missed your call, will ring back later",
    "The meeting moved to Thursday afternoon",
    "Happy birthday! Hope you have a great day",
    "I'm running 10 minutes late, start without me",
    "Dinner was great, thanks for inviting us",
    "Did you finish the report for Monday?",
    "Toi dang hop, goi lai sau nhe",
    "Nho khoa cua truoc khi di ngu",
]


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return TextClassifier.train(SPAM + HAM, [True] * len(SPAM) + [False] * len(HAM), seed=7)


def test_predicts_labels_and_probabilities(model: TextClassifier) -> None:
    label, score = model.predict("Tai khoan cua ban bi khoa, xac thuc ngay tai https://bidv-xacthuc.top")
    assert (label, score > 0.5) == ("spam", True)
    label, score = model.predict("Toi nay em ve an com nhe anh")
    assert (label, score < 0.5) == ("ham", True)
    assert model.predict_many([]) == []
    results = model.predict_many(["Nap dau tang 100% tai https://t.ly/qq", "ok anh"])
    assert [label for label, _ in results] == ["spam", "ham"]
    assert all(0.0 <= score <= 1.0 for _, score in results)


def test_training_is_deterministic(model: TextClassifier) -> None:
    again = TextClassifier.train(SPAM + HAM, [True] * len(SPAM) + [False] * len(HAM), seed=7)
    probe = ["Trung thuong lon, bam link ngay", "Mai gap nhe", "WIN a prize now"]
    assert again.spam_probabilities(probe) == model.spam_probabilities(probe)


def test_per_corpus_classes_sum_to_the_spam_probability(tmp_path: Path) -> None:
    # Two corpora that disagree on advertising, as Pham 2016 and IE403 do: one class per corpus and label.
    ads = [f"(QC) Soan KM{i} gui 9{i:03d} de nhan uu dai {i}0% goi cuoc data" for i in range(12)]
    texts = SPAM + HAM + ads + HAM[:12]
    spam = [True] * len(SPAM) + [False] * len(HAM) + [False] * 12 + [False] * 12
    sources = ["a"] * (len(SPAM) + len(HAM)) + ["b"] * 24
    model = TextClassifier.train(texts, spam, seed=7, sources=sources)
    assert sorted(model.pipeline.classes_) == ["ham:a", "ham:b", "spam:a"]
    probe = [
        "Tai khoan cua ban bi khoa, xac thuc ngay tai https://bidv-xacthuc.top",
        "Toi nay em ve an com nhe anh",
    ]
    assert [label for label, _ in model.predict_many(probe)] == ["spam", "ham"]
    rows = model.pipeline.predict_proba(probe)
    spam_column = list(model.pipeline.classes_).index("spam:a")
    assert model.spam_probabilities(probe) == pytest.approx([row[spam_column] for row in rows])
    model.save(tmp_path / "m.pkl")
    assert load(tmp_path / "m.pkl").predict_many(probe) == model.predict_many(probe)


def test_class_labels_fall_back_to_plain_labels_for_small_corpora() -> None:
    spam = [True] * 12 + [False] * 12 + [True, False]
    sources = ["big"] * 24 + ["tiny"] * 2
    labels = class_labels(spam, sources)
    assert labels[:24] == ["spam:big"] * 12 + ["ham:big"] * 12 and labels[24:] == ["spam", "ham"]
    assert class_labels(spam, None) == ["spam"] * 12 + ["ham"] * 12 + ["spam", "ham"]
    with pytest.raises(ValueError, match="sources"):
        class_labels(spam, sources[:3])


def test_save_and_load_round_trip(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "models" / "sms-spam.pkl"
    model.save(path)
    header = json.loads(path.read_bytes().split(b"\n", 1)[0])
    assert header["format"] == "vigil-text-classifier/1" and header["sklearn"] == sklearn_version()
    loaded = load(path)
    assert loaded is TextClassifier.load(path)  # one copy per process and file version
    probe = ["Bam vao https://quatang.top nhan qua", "Chieu nay hop luc 3h"]
    assert loaded.predict_many(probe) == model.predict_many(probe)
    assert not list(tmp_path.glob("models/.*.tmp")), "the temporary file must be renamed away"


def test_refuses_a_model_of_another_scikit_learn(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "old.pkl"
    model.save(path)
    header, payload = path.read_bytes().split(b"\n", 1)
    meta = json.loads(header)
    meta["sklearn"] = "0.24.2"
    path.write_bytes(json.dumps(meta).encode() + b"\n" + payload)
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2 .* run `vigil train`"):
        TextClassifier.load(path)


def test_refuses_files_vigil_did_not_write(tmp_path: Path) -> None:
    other = tmp_path / "other.pkl"
    other.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ModelError, match="not a Vigil text model"):
        TextClassifier.load(other)
    with pytest.raises(ModelError, match="run `vigil train` to build one"):
        TextClassifier.load(tmp_path / "absent.pkl")


def test_refuses_a_truncated_file(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "cut.pkl"
    model.save(path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ModelError, match="cannot be read"):
        TextClassifier.load(path)


def test_concurrent_predictions_agree(model: TextClassifier) -> None:
    texts = SPAM[:5] + HAM[:5]
    expected = model.predict_many(texts)
    results: list[list[tuple[str, float]]] = []

    def work() -> None:
        results.append([model.predict(text) for text in texts])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8


def test_sms_spam_detector_is_silent_without_a_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    facts = PageFacts(text=SPAM[0])
    monkeypatch.delenv(ENV_MODEL, raising=False)
    assert detect_sms_spam(facts) is None
    monkeypatch.setenv(ENV_MODEL, str(tmp_path / "absent.pkl"))
    assert detect_sms_spam(facts) is None
    broken = tmp_path / "broken.pkl"
    broken.write_text("not a model")
    monkeypatch.setenv(ENV_MODEL, str(broken))
    assert detect_sms_spam(facts) is None  # logged, never raised into a capture


def test_sms_spam_detector_uses_the_configured_model(
    model: TextClassifier, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "sms-spam.pkl"
    model.save(path)
    monkeypatch.setenv(ENV_MODEL, str(path))
    result = detect_sms_spam(PageFacts(text="Tai khoan bi khoa, xac thuc tai https://vcb-xacthuc.top ngay"))
    assert result is not None
    assert (result.detector, result.label) == ("sms_spam", "spam")
    assert "rates this message as spam" in result.explanation
    assert detect_sms_spam(PageFacts(text="Mai 8h hop nhe")) is None
    assert model_path("/srv/vigil") == path
    assert metrics_path(path) == tmp_path / "sms-spam.metrics.json"


def test_model_path_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_MODEL, raising=False)
    assert model_path("/srv/vigil") == Path("/srv/vigil/models/sms-spam.pkl")


def test_signals_describe_shape_not_content() -> None:
    assert signals("ok") == "len_short"
    tokens = signals("Nhan qua tai https://bit.ly/abc hoac www.qua-tang.top, LH 0912345678").split()
    assert {"url", "shortener", "abused_tld", "hyphen_host", "phone"} <= set(tokens)
    assert "other_script" in signals("Рhần quà ṱặng") and "other_script" not in signals("Phần quà tặng")


def test_split_keeps_duplicates_together_and_is_stratified() -> None:
    messages = [textdata.Message(f"tin so {i % 30}", i % 30 < 6, "vi", "a") for i in range(90)]
    messages += [textdata.Message(f"msg {i}", i < 20, "en", "b") for i in range(100)]
    train, test = textdata.split(messages, test_fraction=0.2, seed=1)
    assert {m.text for m in train}.isdisjoint({m.text for m in test})
    assert (sum(m.spam for m in test if m.source == "a"), sum(m.source == "a" for m in test)) == (3, 18)
    assert (sum(m.spam for m in test if m.source == "b"), sum(m.source == "b" for m in test)) == (4, 20)
    assert textdata.split(messages, test_fraction=0.2, seed=1) == (train, test)
    assert textdata.split(messages, test_fraction=0.2, seed=2) != (train, test)


def test_metrics_per_language_and_class() -> None:
    messages = [
        textdata.Message("a", True, "vi", "s"),
        textdata.Message("b", True, "vi", "s"),
        textdata.Message("c", False, "vi", "s"),
        textdata.Message("d", False, "vi", "s"),
    ]
    report = textdata.metrics(messages, [True, False, True, False])
    assert report["vi"]["spam"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["vi"]["ham"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["source:s"]["messages"] == 4
