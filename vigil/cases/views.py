"""Case pages: list, open, detail, and the in-page actions (HTMX, with a plain-POST fallback)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from vigil.cases import lookups, services
from vigil.cases.case_page import case_page_context
from vigil.cases.choices import CaseStatus
from vigil.cases.filters import CaseFilter
from vigil.cases.forms import (
    AppealForm,
    AppealResolveForm,
    AppraisalForm,
    CaseForm,
    DecisionForm,
    EvidenceForm,
    IndicatorForm,
    MergeForm,
    ReasonForm,
    TransitionForm,
    WithheldEvidenceForm,
)
from vigil.cases.models import Case
from vigil.cases.views_support import evidence_response
from vigil.core.models import User
from vigil.errors import VigilError
from vigil.indicators import services as indicator_services

PAGE_SIZE = 50


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Filterable, searchable, paginated list of the cases the user may see."""
    user: User = request.user  # type: ignore[assignment]
    params = {key: value for key, value in request.GET.items() if key != "page" and value != ""}
    filter_error = ""
    try:
        filters = CaseFilter(**params)
    except PydanticValidationError as exc:
        filter_error = "; ".join(str(error["msg"]) for error in exc.errors())
        filters = CaseFilter()
    cases = filters.apply(
        Case.objects.visible_to(user)
        .select_related("category", "organisation", "assignee")
        .defer("description", "search_text")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_error": filter_error,
            "query": query.urlencode(),
            "form": CaseForm(),
            "status_choices": CaseStatus.choices,
        },
    )


def _indicators_from_text(text: str) -> list[tuple[str | None, str]]:
    found = [(str(item.indicator.type), item.indicator.value) for item in indicator_services.extract(text)]
    if found or not text.strip():
        return found
    # Nothing recognisable in free text: treat each line as one value so the user gets
    # a specific error for it instead of silence.
    return [(None, line.strip()) for line in text.splitlines() if line.strip()]


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a new case."""
    user: User = request.user  # type: ignore[assignment]
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(
                actor=user,
                title=data["title"],
                category=data["category"],
                priority=data["priority"],
                organisation=data["organisation"],
                assignee=data["assignee"],
                description=data["description"],
                indicators=_indicators_from_text(data["indicator_text"]),
            )
        except VigilError as exc:
            form.add_error(
                exc.details.get("field") if exc.details.get("field") in form.fields else None,
                exc.message,
            )
        else:
            messages.success(request, _("Case %(code)s opened.") % {"code": case.code})
            return redirect("cases:detail", code=case.code)
    return render(request, "cases/case_create.html", {"form": form})


@login_required
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Everything about one case on one page."""
    user: User = request.user  # type: ignore[assignment]
    try:
        case = lookups.visible_case(user, code, detail=True)
    except VigilError as exc:
        return render(
            request,
            "core/error.html",
            {"title": _("Not found"), "message": exc.message},
            status=404,
        )
    return render(request, "cases/case_detail.html", case_page_context(user, case))


Handler = Callable[[User, Case, Any, HttpRequest], Any]


def _decision_on(user: User, case: Case, request: HttpRequest) -> Any:
    decision = lookups.visible_decision(user, int(request.POST.get("decision") or 0))
    if decision.case_id != case.pk:
        raise VigilError(_("That decision belongs to another case."))
    return decision


def _appeal_on(user: User, case: Case, request: HttpRequest) -> Any:
    appeal = lookups.visible_appeal(user, int(request.POST.get("appeal") or 0))
    if appeal.decision.case_id != case.pk:
        raise VigilError(_("That appeal belongs to another case."))
    return appeal


def _draft(user: User, case: Case, form: DecisionForm, request: HttpRequest) -> Any:
    data = form.cleaned_data
    link = case.indicator_links.select_related("indicator").get(indicator_id=data["indicator"])
    return services.draft_decision(
        actor=user,
        case=case,
        action=data["action"],
        scope=data["scope"],
        indicator=link.indicator,
        legal_basis=data["legal_basis"],
        reasoning=data["reasoning"],
        evidence=list(case.evidence.filter(pk__in=data["evidence"])),
        expires_at=form.expires_at(),
    )


# action name → (section of the page it belongs to, form class, handler)
ACTIONS: dict[str, tuple[str, type[forms.Form] | None, Handler]] = {
    "add-indicator": (
        "indicators",
        IndicatorForm,
        lambda u, c, f, r: services.add_indicator(
            actor=u,
            case=c,
            kind=f.cleaned_data["type"] or None,
            raw=f.cleaned_data["value"],
            note=f.cleaned_data["note"],
        ),
    ),
    "upload-evidence": (
        "evidence",
        EvidenceForm,
        lambda u, c, f, r: services.add_evidence(
            actor=u,
            case=c,
            chunks=f.cleaned_data["file"].chunks(),
            filename=f.cleaned_data["file"].name,
            declared_media_type=f.cleaned_data["file"].content_type or "",
            source=f.cleaned_data["source"],
            note=f.cleaned_data["note"],
        ),
    ),
    "withheld-evidence": (
        "evidence",
        WithheldEvidenceForm,
        lambda u, c, f, r: services.register_withheld_evidence(
            actor=u,
            case=c,
            sha256=f.cleaned_data["sha256"],
            size=f.cleaned_data["size"],
            media_type=f.cleaned_data["media_type"],
            source=f.cleaned_data["source"],
            note=f.cleaned_data["note"],
        ),
    ),
    "transition": (
        "status",
        TransitionForm,
        lambda u, c, f, r: services.transition_case(
            actor=u, case=c, target=f.cleaned_data["status"], reason=f.cleaned_data["reason"]
        ),
    ),
    "appraise": (
        "appraisals",
        AppraisalForm,
        lambda u, c, f, r: services.add_appraisal(
            actor=u,
            case=c,
            verdict=f.cleaned_data["verdict"],
            reasoning=f.cleaned_data["reasoning"],
            category=f.cleaned_data["category"],
        ),
    ),
    "draft-decision": ("decisions", DecisionForm, _draft),
    "approve": (
        "decisions",
        None,
        lambda u, c, f, r: services.approve_decision(
            actor=u, decision=_decision_on(u, c, r), confirm_shared_ip=r.POST.get("confirm_shared_ip") == "1"
        ),
    ),
    "activate": (
        "decisions",
        None,
        lambda u, c, f, r: services.activate_decision(actor=u, decision=_decision_on(u, c, r)),
    ),
    "revoke": (
        "decisions",
        ReasonForm,
        lambda u, c, f, r: services.revoke_decision(
            actor=u, decision=_decision_on(u, c, r), reason=f.cleaned_data["reason"]
        ),
    ),
    "appeal": (
        "appeals",
        AppealForm,
        lambda u, c, f, r: services.record_appeal(
            actor=u,
            decision=_decision_on(u, c, r),
            appellant=f.cleaned_data["appellant"],
            contact=f.cleaned_data["contact"],
            grounds=f.cleaned_data["grounds"],
        ),
    ),
    "review-appeal": (
        "appeals",
        None,
        lambda u, c, f, r: services.start_appeal_review(actor=u, appeal=_appeal_on(u, c, r)),
    ),
    "resolve-appeal": (
        "appeals",
        AppealResolveForm,
        lambda u, c, f, r: services.resolve_appeal(
            actor=u,
            appeal=_appeal_on(u, c, r),
            outcome=f.cleaned_data["outcome"],
            reason=f.cleaned_data["reason"],
        ),
    ),
}


def _form_errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errs)}".lstrip(": ")
        for name, errs in form.errors.items()
    )


@login_required
@require_POST
def case_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Run one in-page action and answer with the refreshed case (or a redirect without HTMX)."""
    user: User = request.user  # type: ignore[assignment]
    if action == "merge":
        return _merge(request, user, code)
    if action not in ACTIONS:
        return render(
            request,
            "core/error.html",
            {"title": _("Not found"), "message": _("Unknown action.")},
            status=404,
        )
    section, form_class, handler = ACTIONS[action]
    try:
        case = lookups.visible_case(user, code)
    except VigilError as exc:
        return render(
            request,
            "core/error.html",
            {"title": _("Not found"), "message": exc.message},
            status=404,
        )
    form = None
    if form_class is not None:
        kwargs = {"case": case} if form_class is DecisionForm else {}
        form = form_class(request.POST, request.FILES, **kwargs)
    errors: dict[str, str] = {}
    status = 200
    if form is not None and not form.is_valid():
        errors[section] = _form_errors(form)
        status = 422
    else:
        try:
            handler(user, case, form, request)
        except VigilError as exc:
            errors[section] = exc.message
            status = exc.status
    if request.headers.get("HX-Request"):
        case = lookups.visible_case(user, code, detail=True)
        context = case_page_context(user, case, errors=errors, bound={section: form} if errors else {})
        # HTMX swaps only 2xx responses by default; the error is inside the fragment.
        return render(request, "cases/_case_main.html", context, status=200 if status < 500 else status)
    for message in errors.values():
        messages.error(request, message)
    if not errors:
        messages.success(request, _("Done."))
    return redirect(reverse("cases:detail", kwargs={"code": code}) + f"#{section}")


def _merge(request: HttpRequest, user: User, code: str) -> HttpResponse:
    form = MergeForm(request.POST)
    try:
        if not form.is_valid():
            raise VigilError(_form_errors(form))
        target = services.merge_cases(
            actor=user,
            source=lookups.visible_case(user, code),
            target=lookups.visible_case(user, form.cleaned_data["into"]),
            reason=form.cleaned_data["reason"],
        )
    except VigilError as exc:
        messages.error(request, exc.message)
        destination = reverse("cases:detail", kwargs={"code": code})
    else:
        messages.success(request, _("Merged into %(code)s.") % {"code": target.code})
        destination = reverse("cases:detail", kwargs={"code": target.code})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = destination
        return response
    return redirect(destination)


@login_required
def evidence_download(request: HttpRequest, item_id: int) -> HttpResponse:
    """Download evidence (audited); never rendered in Vigil's origin."""
    return _evidence(request, item_id, inline=False)


@login_required
def evidence_preview(request: HttpRequest, item_id: int) -> HttpResponse:
    """Evidence shown inside a sandboxed frame (CSP ``sandbox``), audited like a download."""
    return _evidence(request, item_id, inline=True)


def _evidence(request: HttpRequest, item_id: int, *, inline: bool) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        item = lookups.visible_evidence(user, item_id)
        handle = services.open_evidence(actor=user, item=item, purpose="preview" if inline else "download")
    except VigilError as exc:
        return render(
            request,
            "core/error.html",
            {"title": _("Not available"), "message": exc.message},
            status=exc.status,
        )
    return evidence_response(item, handle, inline=inline)
