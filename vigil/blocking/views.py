"""The block page, the public appeal form, and the staff page for exports and publishing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigil.blocking import services
from vigil.blocking.models import DnsTarget, ProtectedDomain, Publication
from vigil.cases import services as case_services
from vigil.cases.choices import DecisionState
from vigil.cases.models import Appeal, Decision
from vigil.core import ratelimit
from vigil.core.middleware import client_ip
from vigil.errors import VigilError
from vigil.lib.exports.registry import exporters

IN_FORCE = (DecisionState.APPROVED, DecisionState.ACTIVE)
APPEAL_LIMIT = ratelimit.Limit(count=5, seconds=3600)


def _decisions(ids: list[int]) -> list[Decision]:
    return list(
        Decision.objects.filter(pk__in=ids, state__in=IN_FORCE)
        .select_related("category", "legal_basis")
        .order_by("pk")
    )


def block_page(request: HttpRequest, host: str) -> HttpResponse:
    """Why this site is blocked, under which decision, and how to appeal (Vietnamese and English)."""
    verdict = services.current_snapshot().check(f"http://{host}{request.path}")
    ids = [ref.decision_id for ref in verdict.refs if ref.decision_id is not None]
    decisions = _decisions(ids) if verdict.status == "blocked" else []
    context = {"host": host, "decisions": decisions, "public_url": settings.VIGIL_PUBLIC_URL}
    status = 451 if decisions else 404
    response = render(request, "blocking/block_page.html", context, status=status)
    if decisions:
        # RFC 7725: name the party that ordered the block.
        response["Link"] = f'<{settings.VIGIL_PUBLIC_URL}/appeal/{decisions[0].pk}/>; rel="blocked-by"'
    response["Cache-Control"] = "no-store"
    return response


class PublicAppealForm(forms.Form):
    appellant = forms.CharField(label=gettext_lazy("Your name or organisation"), max_length=200)
    contact = forms.CharField(
        label=gettext_lazy("How to reach you (e-mail or phone)"), max_length=300, required=False
    )
    grounds = forms.CharField(
        label=gettext_lazy("Why is the decision wrong?"), widget=forms.Textarea(attrs={"rows": 6})
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that the department processes these details only to handle this appeal "
            "(Decree 13/2023/NĐ-CP on personal data protection)."
        ),
    )


def appeal_form(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Anyone may appeal a decision in force; the appeal gets a tracking code."""
    decision = (
        Decision.objects.select_related("category", "legal_basis")
        .filter(pk=decision_id, state__in=IN_FORCE)
        .first()
    )
    if decision is None:
        raise Http404(_("No decision in force with this number."))
    form = PublicAppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limited = ratelimit.hit("appeal", client_ip(request) or "unknown", APPEAL_LIMIT)
        if not limited.allowed:
            response = render(
                request,
                "blocking/appeal_form.html",
                {"decision": decision, "form": form, "limited": True},
                status=429,
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
        try:
            appeal = case_services.record_public_appeal(
                decision=decision,
                appellant=form.cleaned_data["appellant"],
                contact=form.cleaned_data["contact"],
                grounds=form.cleaned_data["grounds"],
            )
        except VigilError as exc:
            form.add_error(
                exc.details.get("field") if exc.details.get("field") in form.fields else None, exc.message
            )
        else:
            return redirect(reverse("blocking:appeal_status", kwargs={"code": appeal.tracking_code}))
    return render(request, "blocking/appeal_form.html", {"decision": decision, "form": form})


def appeal_status(request: HttpRequest, code: str) -> HttpResponse:
    """The state of a public appeal, in plain words."""
    appeal = Appeal.objects.select_related("decision").filter(tracking_code=code.strip().upper()).first()
    if appeal is None:
        raise Http404(_("No appeal with this tracking code."))
    return render(request, "blocking/appeal_status.html", {"appeal": appeal})


@login_required
def blocking_home(request: HttpRequest) -> HttpResponse:
    """Exports, DNS targets and their last publications, the allow-list at a glance."""
    snapshot = services.current_snapshot()
    query = request.GET.get("check", "").strip()
    verdict = snapshot.check(query) if query else None
    context: dict[str, Any] = {
        "snapshot": snapshot,
        "formats": list(exporters),
        "targets": [(target, target.publications.first()) for target in DnsTarget.objects.all()],
        "recent": Publication.objects.select_related("target")[:20],
        "protected_count": ProtectedDomain.objects.filter(is_active=True).count(),
        "query": query,
        "verdict": verdict,
        "verdict_decisions": _decisions([r.decision_id for r in verdict.refs if r.decision_id])
        if verdict
        else [],
    }
    return render(request, "blocking/home.html", context)


@login_required
def download_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """One export as a file."""
    try:
        exporter = exporters.get(fmt)
    except KeyError as exc:
        raise Http404(_("Unknown export format.")) from exc
    path, _etag = services.export_file(fmt)  # written once per snapshot, shared with the API
    response = HttpResponse(path.read_bytes(), content_type=f"{exporter.media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vigil-blocklist.{exporter.extension}"'
    return response
