"""Forms of the capture and lead actions (shape only; rules live in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CaptureForm(forms.Form):
    """Capture one of the case's indicators, or a URL typed in."""

    indicator = forms.IntegerField(label=_("Indicator"), required=False)
    url = forms.CharField(label=_("or a URL"), max_length=2048, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("indicator") and not (data.get("url") or "").strip():
            raise forms.ValidationError(_("Choose an indicator or give a URL to capture."))
        return data


class LeadForm(forms.Form):
    """A note when linking or dismissing a lead."""

    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
