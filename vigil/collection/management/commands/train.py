"""``vigil train``: build the SMS / short-message classifier and measure it on a held-out split."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.lib.detectors import textdata
from vigil.lib.detectors.textclassifier import metrics_path, model_path

# The corpora are research data beside the project, never inside it (see their PROVENANCE.md).
SHARED_DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"


def default_data_dir() -> Path:
    """``$VIGIL_SHARED_DATA``, else ``../shared/data`` beside the project."""
    return Path(os.environ.get("VIGIL_SHARED_DATA") or SHARED_DATA)


class Command(BaseCommand):
    help = (
        "Train the SMS spam/scam classifier on sms-vi and sms-en-uci, print its held-out precision, "
        "recall and F1, and write the model and its metrics (JSON) to the data directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data",
            type=Path,
            default=None,
            help="folder holding sms-vi/ and sms-en-uci/ (default ../shared/data)",
        )
        parser.add_argument(
            "--out", type=Path, default=None, help="model file (default DATA_DIR/models/sms-spam.pkl)"
        )
        parser.add_argument("--seed", type=int, default=textdata.SEED, help="seed of the split and the model")
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="use only the first N messages of each corpus (quick checks)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = options["data"] or default_data_dir()
        out = options["out"] or model_path(settings.DATA_DIR)
        try:
            run = textdata.train_and_evaluate(data_dir, seed=options["seed"], limit=options["limit"])
        except textdata.DataMissing as exc:
            raise CommandError(str(exc)) from exc
        run.model.save(out)
        report_file = metrics_path(out)
        report_file.write_text(json.dumps(run.report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        report = run.report
        self.stdout.write(
            f"trained on {report['train_messages']} messages in {report['training_seconds']} s; "
            f"held out {report['test_messages']} (seed {report['seed']}, {report['test_fraction']:.0%} "
            "of each source and label):"
        )
        for line in textdata.format_report(report):
            self.stdout.write(line)
        self.stdout.write(f"model: {out}")
        self.stdout.write(f"metrics: {report_file}")
