"""Forms: their shape only; the services check the meaning (indicators, consent, dates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigil.core.models import Category
from vigil.intake.choices import ReportKind


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images in one input; each is checked and re-encoded by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you reporting?"),
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        initial=ReportKind.WEBSITE,
    )
    value = forms.CharField(label=_("Website, number or account"), max_length=2048, required=False)
    text = forms.CharField(
        label=_("Paste the message you received (SMS, Zalo, Facebook, e-mail…)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("We find the links, numbers and accounts in it for you."),
    )
    description = forms.CharField(
        label=_("What happened?"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    money_lost = forms.CharField(
        label=_("Money lost (đồng), if any"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    happened_on = forms.DateField(
        label=_("When did it happen?"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    screenshots = MultipleImageField(
        label=_("Screenshots (optional, images only)"),
        required=False,
        help_text=_("Location and camera details are removed from images before they are kept."),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    contact_email = forms.CharField(
        label=_("E-mail (to be told when the status changes)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput,
    )
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    consent = forms.BooleanField(
        label=_(
            "I agree that the Department keeps my contact details only to handle this report and to tell me "
            "its outcome (Decree 13/2023/NĐ-CP on personal data protection). They are never published."
        ),
        required=False,
    )
    pow_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    pow_nonce = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class LookupForm(forms.Form):
    q = forms.CharField(label=_("Website, phone number or bank account"), max_length=2048)


class OpenCaseForm(forms.Form):
    title = forms.CharField(label=_("Case title"), max_length=300)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachForm(forms.Form):
    case_code = forms.CharField(label=_("Case code"), max_length=32)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or JSON file"))


class AdvisoryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    indicator_lines = forms.CharField(
        label=_("Indicators (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    publish = forms.BooleanField(label=_("Published"), required=False)
