"""``vigil train`` and ``vigil classify sms`` end to end, on a small fixed slice of the real corpora.

The corpora are research data outside the repository; where they are absent the tests that
need them skip, saying so (the only skip in these tests).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vigil.collection.management.commands.train import default_data_dir
from vigil.lib.detectors import textdata

LIMIT = 400  # messages of each corpus: a model in a few seconds
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpora() -> Path:
    data = default_data_dir()
    try:
        textdata.corpus_files(data)
    except textdata.DataMissing as exc:
        pytest.skip(f"the SMS corpora are not on this machine: {exc}")
    return data


@pytest.fixture(scope="module")
def trained(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("model") / "sms-spam.pkl"
    stdout = io.StringIO()
    call_command("train", "--data", str(corpora), "--out", str(out), "--limit", str(LIMIT), stdout=stdout)
    return out, stdout.getvalue()


def test_train_prints_and_stores_held_out_metrics(trained: tuple[Path, str]) -> None:
    model, printed = trained
    assert model.is_file() and not model.resolve().is_relative_to(REPO)
    report = json.loads(model.with_name("sms-spam.metrics.json").read_text(encoding="utf-8"))
    assert report["seed"] == textdata.SEED and report["test_fraction"] == textdata.TEST_FRACTION
    assert set(report["data"]) == {"pham2016-vi-sms.csv", "ie403-vi-smishing.csv", "sms-spam-collection.csv"}
    held_out = report["held_out"]
    assert set(held_out) == {"vi", "en", "source:pham2016", "source:ie403", "source:uci"}
    for language in ("vi", "en"):
        for cls in ("spam", "ham"):
            figures = held_out[language][cls]
            assert set(figures) == {"precision", "recall", "f1", "support"}
            assert figures["support"] > 0
        # 400 messages a corpus already tell spam from ham; a broken pipeline would not.
        assert held_out[language]["spam"]["f1"] >= 0.6, held_out[language]
    assert report["train_messages"] + report["test_messages"] == 3 * LIMIT
    row = next(line for line in printed.splitlines() if line.startswith("vi") and " spam " in line)
    assert f"{held_out['vi']['spam']['f1']:.3f}" in row
    assert f"model: {model}" in printed


def test_two_runs_give_the_same_metrics(corpora: Path, trained: tuple[Path, str], tmp_path: Path) -> None:
    first = json.loads(trained[0].with_name("sms-spam.metrics.json").read_text(encoding="utf-8"))
    call_command(
        "train",
        "--data",
        str(corpora),
        "--out",
        str(tmp_path / "again.pkl"),
        "--limit",
        str(LIMIT),
        stdout=io.StringIO(),
    )
    second = json.loads((tmp_path / "again.metrics.json").read_text(encoding="utf-8"))
    assert second["held_out"] == first["held_out"]


def test_classify_sms_prints_one_verdict_per_line(
    trained: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        "Tai khoan cua ban bi khoa, dang nhap https://vcb-xacthuc.top de xac thuc ngay",
        "Chieu nay em ve muon nhe",
        "",
        "URGENT! You have won a 1000 GBP cash prize. Call 09061701461 to claim",
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    stdout = io.StringIO()
    call_command("classify", "sms", "--model", str(trained[0]), stdout=stdout)
    out = stdout.getvalue().splitlines()
    assert len(out) == len(lines)
    assert all(re.fullmatch(r"(spam|ham)\t[01]\.\d{4}", row) for row in out), out
    assert [row.split("\t")[0] for row in out] == ["spam", "ham", "ham", "spam"]


def test_the_vigil_command_classifies_standard_input(trained: tuple[Path, str], tmp_path: Path) -> None:
    env = {**os.environ, "VIGIL_DATA_DIR": str(tmp_path), "VIGIL_TEXT_MODEL": str(trained[0])}
    vigil = Path(sys.executable).with_name("vigil")
    result = subprocess.run(
        [str(vigil), "classify", "sms"],
        input="Nap dau tang 100%, no hu tai xiu, link vao https://t.ly/abc\nok anh\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [row.split("\t")[0] for row in result.stdout.splitlines()] == ["spam", "ham"]


def test_train_without_the_corpora_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"pham2016-vi-sms\.csv is missing.*pass --data"):
        call_command("train", "--data", str(tmp_path), "--out", str(tmp_path / "m.pkl"), stdout=io.StringIO())
    assert not (tmp_path / "m.pkl").exists()


def test_classify_without_a_model_says_to_train(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\n"))
    with pytest.raises(CommandError, match=r"run `vigil train`"):
        call_command("classify", "sms", "--model", str(tmp_path / "none.pkl"), stdout=io.StringIO())
