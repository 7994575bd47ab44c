"""SMS / short-message classifier bench: held-out precision, recall and F1 per language, and speed.

Run from the project root (never part of the test run)::

    .venv/bin/python bench/classifier.py [--data /work/shared/data] [--seed 2017] [--repeat]

It trains the classifier exactly as ``vigil train`` does (same corpora, split, seed and
model; ``vigil.lib.detectors.textdata.train_and_evaluate``), with no Django and no
database, writes the model to a temporary folder that is removed afterwards (a model
trained on ``sms-vi`` must never land in the repository), and prints the held-out
figures. Figures go to stdout as ``name: value unit``; progress goes to stderr. Where the
corpora are absent it says ``skipped: ...`` and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import figure, log
from vigil.lib.detectors import PageFacts, run_all, textdata
from vigil.lib.detectors.textclassifier import TextClassifier

DATA = Path(os.environ.get("VIGIL_SHARED_DATA", "/work/shared/data"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder holding sms-vi/ and sms-en-uci/")
    parser.add_argument("--seed", type=int, default=textdata.SEED)
    parser.add_argument("--repeat", action="store_true", help="train a second time and compare the metrics")
    args = parser.parse_args(argv)
    try:
        textdata.corpus_files(args.data)
    except textdata.DataMissing as exc:
        log(f"skipped: {exc}")
        return 0

    log(f"training on {args.data} (seed {args.seed}, {textdata.TEST_FRACTION:.0%} held out) ...")
    started = time.perf_counter()
    run = textdata.train_and_evaluate(args.data, seed=args.seed)
    total = time.perf_counter() - started
    held_out = run.report["held_out"]
    assert isinstance(held_out, dict)
    for language in ("vi", "en"):
        for cls in ("spam", "ham"):
            row = held_out[language][cls]
            figure(f"f1_{cls}_{language}", row["f1"])
            figure(f"precision_{cls}_{language}", row["precision"])
            figure(f"recall_{cls}_{language}", row["recall"])
        figure(f"test_messages_{language}", held_out[language]["messages"])
    for source in ("pham2016", "ie403", "uci"):
        figure(f"f1_spam_source_{source}", held_out[f"source:{source}"]["spam"]["f1"])
    figure("classifier_train_s", float(str(run.report["training_seconds"])), "s")
    figure("classifier_run_s", total, "s")

    messages = textdata.load_corpora(args.data)
    _train, test = textdata.split(messages, test_fraction=textdata.TEST_FRACTION, seed=args.seed)
    texts = [m.text for m in test]
    with tempfile.TemporaryDirectory(prefix="vigil-bench-classifier-") as folder:
        path = Path(folder) / "sms-spam.pkl"
        run.model.save(path)
        figure("classifier_model_bytes", path.stat().st_size, "B")
        started = time.perf_counter()
        model = TextClassifier.load(path)
        figure("classifier_load_s", time.perf_counter() - started, "s")
    started = time.perf_counter()
    model.predict_many(texts)
    figure("classifier_messages_per_s", len(texts) / (time.perf_counter() - started), "msg/s")
    started = time.perf_counter()
    for text in texts:
        model.predict(text)
    figure("classifier_single_predict_ms", (time.perf_counter() - started) / len(texts) * 1000, "ms")
    started = time.perf_counter()
    for text in texts:
        run_all(PageFacts(text=text))
    figure("detectors_messages_per_s", len(texts) / (time.perf_counter() - started), "msg/s")

    if args.repeat:
        log("training again to check that the figures repeat ...")
        again = textdata.train_and_evaluate(args.data, seed=args.seed)
        figure("classifier_repeat_identical", int(again.report["held_out"] == held_out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
