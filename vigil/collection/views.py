"""Capture pages (progress, artefacts, facts), the case page's capture actions, and leads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.cases import lookups
from vigil.collection import services
from vigil.collection.choices import LeadState
from vigil.collection.forms import CaptureForm, LeadForm
from vigil.collection.models import Capture, HostCheck, HostObservation, Lead
from vigil.collection.templatetags.collection import captures_context
from vigil.core import roles
from vigil.core.models import User
from vigil.errors import VigilError
from vigil.indicators.models import Indicator


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _capture(user: User, capture_id: int) -> Capture:
    capture = (
        Capture.objects.visible_to(user)
        .select_related("case", "case__category", "requested_by", "indicator", "manifest", "retry_of")
        .filter(pk=capture_id)
        .first()
    )
    if capture is None:
        raise Http404(_("No such capture."))
    return capture


@login_required
def capture_detail(request: HttpRequest, capture_id: int) -> HttpResponse:
    """One capture: steps and log, artefacts, redirect chain, TLS, DNS, variants, findings, manifest."""
    user = _user(request)
    capture = _capture(user, capture_id)
    b64, pem, key_id = services.public_key()
    return render(
        request,
        "collection/capture_detail.html",
        {
            "capture": capture,
            "artefacts": capture.artefacts.select_related("evidence"),
            "findings": capture.findings.all(),
            "facts": capture.summary or {},
            "log_lines": capture.log_lines.all()[:500],
            "public_key_b64": b64,
            "public_key_pem": pem,
            "key_id": key_id,
            "can_retry": (capture.state == "failed" or capture.is_stale) and roles.can(user, "capture.run"),
        },
    )


@login_required
def capture_progress(request: HttpRequest, capture_id: int) -> HttpResponse:
    """The steps and log fragment the capture page polls while the capture runs."""
    capture = _capture(_user(request), capture_id)
    response = render(
        request,
        "collection/_progress.html",
        {"capture": capture, "log_lines": capture.log_lines.all()[:500]},
    )
    if not capture.is_active and request.GET.get("was") == "active":
        response["HX-Refresh"] = "true"  # show the results, now stored
    return response


def _back_to_case(request: HttpRequest, user: User, code: str, error: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):
        case = lookups.visible_case(user, code)
        context = captures_context(user, case)
        context["capture_error"] = error
        return render(request, "collection/_case_captures.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Capture queued."))
    return redirect(reverse("cases:detail", kwargs={"code": code}) + "#captures")


@login_required
def case_captures(request: HttpRequest, code: str) -> HttpResponse:
    """The case page's Captures section alone (polled while a capture runs)."""
    user = _user(request)
    try:
        case = lookups.visible_case(user, code)
    except VigilError as exc:
        raise Http404(exc.message) from exc
    return render(request, "collection/_case_captures.html", captures_context(user, case))


@login_required
@require_POST
def capture_start(request: HttpRequest, code: str) -> HttpResponse:
    """Queue a capture of one of the case's URLs, or of a URL typed in."""
    user = _user(request)
    try:
        case = lookups.visible_case(user, code)
    except VigilError as exc:
        raise Http404(exc.message) from exc
    form = CaptureForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(" ".join(errors) for errors in form.errors.values())
    else:
        indicator = None
        if form.cleaned_data["indicator"]:
            indicator = Indicator.objects.filter(pk=form.cleaned_data["indicator"]).first()
        try:
            services.request_capture(actor=user, case=case, url=form.cleaned_data["url"], indicator=indicator)
        except VigilError as exc:
            error = exc.message
    return _back_to_case(request, user, case.code, error)


@login_required
@require_POST
def capture_retry(request: HttpRequest, capture_id: int) -> HttpResponse:
    """Queue a failed capture again."""
    user = _user(request)
    capture = _capture(user, capture_id)
    try:
        retry = services.retry_capture(actor=user, capture=capture)
    except VigilError as exc:
        messages.error(request, exc.message)
        return redirect("collection:capture", capture_id=capture.pk)
    messages.success(request, _("Capture queued again."))
    return redirect("collection:capture", capture_id=retry.pk)


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    """Leads raised by re-resolution and captures, open ones first."""
    user = _user(request)
    state = request.GET.get("state", LeadState.OPEN)
    leads = Lead.objects.visible_to(user).select_related(
        "case", "indicator", "capture", "matched_capture", "matched_capture__case", "handled_by"
    )
    if state in LeadState.values:
        leads = leads.filter(state=state)
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "collection/lead_list.html",
        {
            "page": page,
            "state": state,
            "states": LeadState.choices,
            "form": LeadForm(),
            "can_handle": roles.can(user, "capture.run"),
        },
    )


@login_required
@require_POST
def lead_action(request: HttpRequest, lead_id: int, action: str) -> HttpResponse:
    """Link a lead to its case, or dismiss it."""
    user = _user(request)
    lead = Lead.objects.visible_to(user).select_related("case").filter(pk=lead_id).first()
    if lead is None or action not in {"link", "dismiss"}:
        raise Http404(_("No such lead."))
    form = LeadForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if action == "link":
            services.link_lead(actor=user, lead=lead, note=note)
            messages.success(request, _("Lead linked to case %(code)s.") % {"code": lead.case.code})
        else:
            services.dismiss_lead(actor=user, lead=lead, note=note)
            messages.success(request, _("Lead dismissed."))
    except VigilError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("collection:leads")
    return redirect(target)


@login_required
def host_history(request: HttpRequest, host: str) -> HttpResponse:
    """A watched host's DNS history and liveness checks (department staff only)."""
    user = _user(request)
    if not roles.is_department_wide(user):
        raise Http404(_("Not found."))
    host = host.lower()
    return render(
        request,
        "collection/host_history.html",
        {
            "host": host,
            "observations": HostObservation.objects.filter(host=host),
            "checks": HostCheck.objects.filter(host=host)[:100],
            "leads": Lead.objects.visible_to(user).filter(host=host).select_related("case")[:50],
        },
    )


def public_key(request: HttpRequest) -> HttpResponse:
    """The manifest signing key, public, so anyone can verify a capture's manifest."""
    b64, pem, key_id = services.public_key()
    body = f"# Vigil capture manifest signing key (Ed25519), key id {key_id}\n# base64: {b64}\n{pem}"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
