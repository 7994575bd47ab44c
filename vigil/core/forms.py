"""Forms for log-in, two-factor and API tokens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenCodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6-digit code shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": r"\d{6}",
            }
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class ApiTokenForm(forms.Form):
    """Name and lifetime of a new API token."""

    name = forms.CharField(label=_("Name (what will use it)"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3650, initial=365)
