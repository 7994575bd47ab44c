"""Pages for log-in with two-factor, the dashboard, API tokens and the audit trail."""

from __future__ import annotations

import base64
import math
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigil.cases.choices import AppealState, CaseStatus, DecisionState
from vigil.cases.models import Appeal, Case, Decision
from vigil.core import audit, roles, services
from vigil.core.forms import ApiTokenForm, TokenCodeForm
from vigil.core.models import ApiToken, AuditEvent, User
from vigil.errors import VigilError


class LoginView(auth_views.LoginView):
    """Password step; the two-factor step follows."""

    template_name = "core/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        return "/account/two-factor/?next=" + (self.get_redirect_url() or "/")


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _enrolment_device(request: HttpRequest, user: User) -> TOTPDevice:
    device_id = request.session.get("vigil_enrol_device")
    device = (
        TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        request.session["vigil_enrol_device"] = device.pk
    return device


def _wrong_code_message(allowed: bool, info: dict[str, Any] | None) -> str:
    if allowed:
        return _("That code is wrong or expired; wait for the next one and try again.")
    locked_until = (info or {}).get("locked_until")
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 60
    return _("After %(n)s wrong codes, wait %(s)s seconds before the next try.") % {
        "n": (info or {}).get("failure_count", "?"),
        "s": seconds,
    }


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code, or enrol an authenticator app on first log-in."""
    user: User = request.user  # type: ignore[assignment]
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = _enrolment_device(request, user)
    form = TokenCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop("vigil_enrol_device", None)
                audit.record(actor=user, action="user.totp_enrolled", obj=user)
            otp_login(request, device)
            audit.record(actor=user, action="user.logged_in", obj=user)
            return redirect(_safe_next(request))
        form.add_error("code", _wrong_code_message(allowed, info))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "next": _safe_next(request)}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "core/two_factor.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out (POST only, so a link on another site cannot log people out)."""
    from django.contrib.auth import logout

    logout(request)
    return redirect("core:login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Cases by status and category, and the work waiting for this user."""
    user: User = request.user  # type: ignore[assignment]
    cases = Case.objects.visible_to(user)
    by_status = dict(cases.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_category = (
        cases.open()
        .values("category__code", "category__name_vi", "category__name_en")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    decisions = Decision.objects.visible_to(user).select_related("case")
    context = {
        "status_counts": [(value, label, by_status.get(value, 0)) for value, label in CaseStatus.choices],
        "category_counts": by_category,
        "my_cases": cases.open().filter(assignee=user).select_related("category")[:20],
        "to_approve": decisions.filter(state=DecisionState.DRAFT).exclude(author=user)[:20]
        if roles.can(user, "decision.approve")
        else [],
        "to_activate": decisions.filter(state=DecisionState.APPROVED)[:20]
        if roles.can(user, "decision.activate")
        else [],
        "to_appraise": cases.filter(status=CaseStatus.APPRAISAL).select_related("category")[:20]
        if roles.can(user, "appraisal.add")
        else [],
        "appeals": Appeal.objects.visible_to(user)
        .filter(state__in=[AppealState.RECEIVED, AppealState.UNDER_REVIEW])
        .select_related("decision", "decision__case")[:20]
        if roles.can(user, "appeal.review")
        else [],
    }
    return render(request, "core/dashboard.html", context)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List, create and revoke the user's own API tokens."""
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.issue_token(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except VigilError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "core/tokens.html",
        {
            "form": form if new_token is None else ApiTokenForm(),
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=user),
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's tokens."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    try:
        services.revoke_token(actor=request.user, token=token)  # type: ignore[arg-type]
        messages.success(request, _("Token revoked."))
    except VigilError as exc:
        messages.error(request, exc.message)
    return redirect("core:tokens")


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The audit trail for auditors, with filters and an on-demand chain check."""
    user: User = request.user  # type: ignore[assignment]
    if not roles.can(user, "audit.view"):
        return render(
            request,
            "core/error.html",
            {
                "title": _("Not allowed"),
                "message": _("Only auditors and administrators may read the audit trail."),
            },
            status=403,
        )
    events = AuditEvent.objects.visible_to(user).select_related(None)
    action = request.GET.get("action", "").strip()
    who = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    if who:
        events = events.filter(actor_label=who)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    verdict = audit.verify() if request.GET.get("verify") else None
    return render(
        request,
        "core/audit.html",
        {"page": page, "verdict": verdict, "action": action, "actor": who},
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the reverse proxy: the database answers."""
    Case.objects.exists()
    return HttpResponse("ok", content_type="text/plain")
