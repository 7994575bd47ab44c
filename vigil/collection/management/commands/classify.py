"""``vigil classify sms``: score messages from standard input with the trained text classifier."""

from __future__ import annotations

import sys
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.lib.detectors.textclassifier import ModelError, TextClassifier, model_path

BATCH = 1000


class Command(BaseCommand):
    help = "Read one message per line on standard input; print spam|ham<TAB>P(spam) for each line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["sms"], help="what to classify (sms: SMS and short messages)")
        parser.add_argument(
            "--model",
            type=Path,
            default=None,
            help="model file (default $VIGIL_TEXT_MODEL or DATA_DIR/models)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["model"] or model_path(settings.DATA_DIR)
        try:
            model = TextClassifier.load(path)
        except ModelError as exc:
            raise CommandError(str(exc)) from exc
        lines = (line.rstrip("\r\n") for line in sys.stdin)
        # One output line per input line, blank ones included, so results paste beside the input.
        while batch := list(islice(lines, BATCH)):
            for label, score in model.predict_many(batch):
                self.stdout.write(f"{label}\t{score:.4f}")
