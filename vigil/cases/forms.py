"""Forms behind the case pages; validation of shape only, rules live in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigil.cases.choices import AppealState, AppraisalVerdict, CaseStatus, DecisionScope, Priority
from vigil.cases.models import Case
from vigil.core.choices import ActionKind
from vigil.core.models import Category, LegalBasis, Organisation, User
from vigil.indicators.choices import IndicatorKind

GUESS = [("", _("Guess from the value"))]


class CaseForm(forms.Form):
    """Open a case; indicators may be pasted as free text and are extracted."""

    title = forms.CharField(label=_("Title"), max_length=300)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    organisation = forms.ModelChoiceField(
        label=_("Owning organisation"),
        required=False,
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_("Default: your organisation."),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    indicator_text = forms.CharField(
        label=_("Indicators or a pasted message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "URLs, phone numbers, accounts… or a whole SMS; obfuscated forms like hxxp:// "
            "and example[.]com are understood."
        ),
    )


class IndicatorForm(forms.Form):
    """Add one indicator to a case."""

    type = forms.ChoiceField(label=_("Type"), choices=GUESS + list(IndicatorKind.choices), required=False)
    value = forms.CharField(label=_("Value"), max_length=2048)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class EvidenceForm(forms.Form):
    """Upload one file as evidence."""

    file = forms.FileField(label=_("File"))
    source = forms.CharField(label=_("Source (URL or where it came from)"), max_length=2048, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithheldEvidenceForm(forms.Form):
    """Hash and metadata of content that must never be stored."""

    sha256 = forms.RegexField(
        label=_("SHA-256"),
        regex=r"^\s*[0-9a-fA-F]{64}\s*$",
        error_messages={"invalid": _("Give the SHA-256 as 64 hexadecimal characters.")},
    )
    size = forms.IntegerField(label=_("Size (bytes)"), min_value=0)
    media_type = forms.CharField(label=_("Media type"), max_length=127, initial="image/jpeg")
    source = forms.CharField(label=_("Source"), max_length=2048, required=False)
    note = forms.CharField(label=_("Note"), required=False)


class TransitionForm(forms.Form):
    """Move the case to another status."""

    status = forms.ChoiceField(label=_("New status"), choices=CaseStatus.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class MergeForm(forms.Form):
    """Merge this case into another one."""

    into = forms.CharField(label=_("Merge into case (code)"), max_length=32)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class AppraisalForm(forms.Form):
    """An appraiser's verdict and reasoning."""

    verdict = forms.ChoiceField(label=_("Verdict"), choices=AppraisalVerdict.choices)
    reasoning = forms.CharField(label=_("Reasoning"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(
        label=_("Proposed category"),
        required=False,
        queryset=Category.objects.filter(is_active=True),
    )


class DecisionForm(forms.Form):
    """Draft a decision on one of the case's indicators."""

    action = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices)
    scope = forms.ChoiceField(label=_("Scope"), choices=DecisionScope.choices)
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)
    legal_basis = forms.ModelChoiceField(
        label=_("Legal basis"), queryset=LegalBasis.objects.filter(is_active=True)
    )
    reasoning = forms.CharField(label=_("Reasoning"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.TypedMultipleChoiceField(
        label=_("Evidence it rests on"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default: the category's usual duration."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        links = case.indicator_links.select_related("indicator")
        self.fields["indicator"].choices = [(link.indicator_id, str(link.indicator)) for link in links]  # type: ignore[attr-defined]
        self.fields["evidence"].choices = [  # type: ignore[attr-defined]
            (item.pk, f"{item.original_name or item.media_type} · {item.sha256[:12]}")
            for item in case.evidence.all()
        ]

    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if not day:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


class ReasonForm(forms.Form):
    """A reason for revoking."""

    reason = forms.CharField(label=_("Reason"), max_length=2000)


class AppealForm(forms.Form):
    """Register an appeal received against a decision."""

    appellant = forms.CharField(label=_("Appellant"), max_length=200)
    contact = forms.CharField(label=_("Contact"), max_length=300, required=False)
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealResolveForm(forms.Form):
    """The outcome of an appeal review."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (AppealState.UPHELD.value, AppealState.UPHELD.label),
            (AppealState.OVERTURNED.value, AppealState.OVERTURNED.label),
        ],
    )
    reason = forms.CharField(
        label=_("Reason given to the appellant"), widget=forms.Textarea(attrs={"rows": 2})
    )
