"""Staff pages of the desk: the triage queue, clusters, reports, imports and warnings."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.cases.models import Case
from vigil.core import audit, roles
from vigil.core.models import User
from vigil.errors import VigilError
from vigil.indicators.choices import IndicatorKind
from vigil.intake import csvsafe, services
from vigil.intake.choices import ReportState
from vigil.intake.forms import AdvisoryForm, AttachForm, ImportForm, OpenCaseForm, ReasonForm
from vigil.intake.models import Advisory, ImportJob, Report, Screenshot, TextCluster, TriageGroup
from vigil.intake.services.screenshots import store as intake_store

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"title": _("Not allowed"), "message": message}, status=403)


def department(view: View) -> View:
    """Logged in, two-factor verified (middleware) and department staff."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not roles.is_department_wide(request.user):  # type: ignore[arg-type]
            return _forbidden(request, _("The reporting desk is for department staff."))
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _cluster_quietly() -> None:
    try:
        services.cluster_pending(limit=200)
    except Exception:  # clustering is a convenience; the queue must show regardless
        logger.exception("clustering reports failed")


@department
def queue(request: HttpRequest) -> HttpResponse:
    """Open queue items by indicator, or clusters of similar messages."""
    _cluster_quietly()
    tab = request.GET.get("tab", "values")
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("type", "")
    context: dict[str, Any] = {
        "tab": tab,
        "q": query,
        "type": kind,
        "types": IndicatorKind.choices,
        "can_triage": roles.can(_user(request), "intake.triage"),
    }
    if tab == "clusters":
        sample = Report.objects.filter(cluster=OuterRef("pk")).order_by("pk").values("text")[:1]
        clusters = (
            TextCluster.objects.filter(size__gte=2)
            .annotate(waiting=Count("reports", filter=Q(reports__state=ReportState.NEW)))
            .filter(waiting__gt=0)
            .annotate(sample=Subquery(sample))
            .order_by("-last_seen", "-id")
        )
        context["page"] = Paginator(clusters, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        groups = TriageGroup.objects.visible_to(_user(request)).queue().select_related("case")
        if query:
            groups = groups.filter(Q(value__icontains=query) | Q(display__icontains=query))
        if kind:
            groups = groups.filter(type=kind)
        context["page"] = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    context["waiting_reports"] = Report.objects.filter(state=ReportState.NEW).count()
    return render(request, "intake/queue.html", context)


def _reports_context(reports: Any) -> list[Report]:
    return list(
        reports.select_related("case", "cluster", "organisation")
        .prefetch_related("indicators")
        .annotate(shots=Count("screenshots"))
        .order_by("-received_at", "-id")[:200]
    )


def _action_forms(group: TriageGroup | None, reports: list[Report]) -> dict[str, Any]:
    title = ""
    if group is not None:
        title = _("Reports about %(value)s") % {"value": group.display[:200]}
    elif reports:
        title = _("Message campaign: %(text)s") % {"text": (reports[-1].text or "")[:120]}
    return {
        "open_form": OpenCaseForm(initial={"title": title[:300]}),
        "attach_form": AttachForm(),
        "reason_form": ReasonForm(),
    }


@department
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every report on one indicator, with their texts and clusters, and the triage actions."""
    group = get_object_or_404(TriageGroup.objects.visible_to(_user(request)).select_related("case"), pk=pk)
    reports = _reports_context(Report.objects.filter(indicators__group=group).distinct())
    context = {
        "group": group,
        "reports": reports,
        "target": "groups",
        "target_id": group.pk,
        "waiting": sum(1 for r in reports if r.state == ReportState.NEW),
        "can_triage": roles.can(_user(request), "intake.triage"),
        **_action_forms(group, reports),
    }
    return render(request, "intake/group.html", context)


@department
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every report in one cluster of near-identical messages."""
    cluster = get_object_or_404(TextCluster, pk=pk)
    reports = _reports_context(Report.objects.filter(cluster=cluster))
    values = (
        TriageGroup.objects.filter(links__report__cluster=cluster)
        .annotate(n=Count("links"))
        .order_by("-n")[:50]
    )
    context = {
        "cluster": cluster,
        "reports": reports,
        "values": values,
        "target": "clusters",
        "target_id": cluster.pk,
        "waiting": sum(1 for r in reports if r.state == ReportState.NEW),
        "can_triage": roles.can(_user(request), "intake.triage"),
        **_action_forms(None, reports),
    }
    return render(request, "intake/cluster.html", context)


def _target(target: str, pk: int) -> dict[str, Any]:
    if target == "groups":
        return {"group": get_object_or_404(TriageGroup, pk=pk)}
    if target == "clusters":
        return {"cluster": get_object_or_404(TextCluster, pk=pk)}
    raise Http404


@require_POST
@department
def triage_action(request: HttpRequest, target: str, pk: int, action: str) -> HttpResponse:
    """Open a case, attach to a case, reject or mark as spam (one service call each)."""
    selection = _target(target, pk)
    back = f"intake:{'group' if target == 'groups' else 'cluster'}"
    actor = _user(request)
    try:
        if action == "open-case":
            form = OpenCaseForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give the case a title and a category."))
                return redirect(back, pk=pk)
            case = services.open_case_from(
                actor=actor,
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                **selection,
            )
            messages.success(request, _("Case %(code)s opened from the reports.") % {"code": case.code})
            return redirect("cases:detail", code=case.code)
        if action == "attach":
            code = request.POST.get("case_code", "").strip().upper()
            case = Case.objects.visible_to(actor).filter(code=code).first()
            if case is None:
                messages.error(request, _("No case with the code %(code)s.") % {"code": code})
                return redirect(back, pk=pk)
            services.attach_to_case(actor=actor, case=case, **selection)
            messages.success(request, _("Reports added to case %(code)s.") % {"code": case.code})
            return redirect("cases:detail", code=case.code)
        if action == "reject":
            count = services.reject(actor=actor, reason=request.POST.get("reason", ""), **selection)
            messages.success(request, _("%(n)s reports rejected.") % {"n": count})
        elif action == "spam":
            count = services.mark_spam(actor=actor, reason=request.POST.get("reason", ""), **selection)
            messages.success(request, _("%(n)s reports marked as spam.") % {"n": count})
        else:
            raise Http404
    except VigilError as exc:
        messages.error(request, exc.message)
    return redirect(back, pk=pk)


@department
def report_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One report as staff see it; contact details only for those who triage."""
    report = get_object_or_404(
        Report.objects.visible_to(_user(request)).select_related("case", "cluster", "organisation"),
        tracking_code=code,
    )
    context = {
        "report": report,
        "indicators": report.indicators.select_related("group"),
        "screenshots": report.screenshots.all(),
        "view": services.public_view(report),
        "show_contact": roles.can(_user(request), "intake.triage"),
    }
    return render(request, "intake/report_detail.html", context)


@department
def screenshot(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's screenshot (already re-encoded); every view is audited like evidence."""
    shot = get_object_or_404(Screenshot.objects.select_related("report"), pk=pk)
    store = intake_store()
    if not store.exists(shot.sha256):
        raise Http404(_("The image is missing from the store."))
    with transaction.atomic():
        audit.record(
            actor=_user(request),
            action="report.screenshot_read",
            obj=shot.report,
            case_id=shot.report.case_id,
            summary=shot.sha256,
        )
    response = FileResponse(store.open(shot.sha256), content_type=shot.media_type)
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "sandbox"
    return response


@department
def case_reports(request: HttpRequest, code: str) -> HttpResponse:
    """The public reports behind a case."""
    case = get_object_or_404(Case.objects.visible_to(_user(request)), code=code)
    reports = _reports_context(Report.objects.filter(case=case))
    return render(request, "intake/case_reports.html", {"case": case, "reports": reports})


def _csv_response(name: str, header: list[str], rows: Any) -> HttpResponse:
    response = HttpResponse("\ufeff" + csvsafe.render(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@department
def group_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's reports as CSV (formula-safe; no contact details)."""
    group = get_object_or_404(TriageGroup.objects.visible_to(_user(request)), pk=pk)
    reports = Report.objects.filter(indicators__group=group).distinct().prefetch_related("indicators")
    rows = (
        [
            r.tracking_code,
            r.received_at.isoformat(),
            r.kind,
            r.channel,
            r.state,
            r.case.code if r.case else "",
            "; ".join(f"{i.type}:{i.value}" for i in r.indicators.all()),
            r.text,
            r.description,
            r.money_lost if r.money_lost is not None else "",
            r.happened_on or "",
        ]
        for r in reports.select_related("case").order_by("received_at")
    )
    header = [
        "tracking_code",
        "received_at",
        "kind",
        "channel",
        "state",
        "case",
        "indicators",
        "text",
        "description",
        "money_lost",
        "happened_on",
    ]
    with transaction.atomic():
        audit.record(actor=_user(request), action="intake.exported", obj=group, summary="csv")
    return _csv_response(f"reports-group-{group.pk}.csv", header, rows)


@department
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or JSON file of reports; it is imported in the background."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.create_import(
                actor=_user(request), name=upload.name or "import", data=b"".join(upload.chunks())
            )
        except VigilError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("intake:import_job", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:20]
    return render(
        request, "intake/import.html", {"form": form, "jobs": jobs}, status=400 if form.errors else 200
    )


@department
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    template = (
        "intake/_import_progress.html" if request.headers.get("HX-Request") else "intake/import_job.html"
    )
    return render(request, template, {"job": job, "errors": job.errors[:500]})


@department
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    rows = ([e.get("row"), e.get("field"), e.get("message")] for e in job.errors)
    return _csv_response(f"import-{job.pk}-errors.csv", ["row", "field", "message"], rows)


@department
def advisories(request: HttpRequest) -> HttpResponse:
    """Every warning, published or not."""
    items = Advisory.objects.select_related("category", "created_by").order_by("-updated_at")[:200]
    return render(
        request,
        "intake/advisories.html",
        {"advisories": items, "can_edit": roles.can(_user(request), "intake.warnings")},
    )


@department
def advisory_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write or edit a warning."""
    advisory = get_object_or_404(Advisory, pk=pk) if pk else None
    initial = {}
    if advisory is not None:
        initial = {
            "title": advisory.title,
            "body": advisory.body,
            "category": advisory.category,
            "indicator_lines": "\n".join(i.get("display") or i["value"] for i in advisory.indicators),
            "publish": advisory.is_published,
        }
    form = AdvisoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_advisory(
                actor=_user(request),
                advisory=advisory,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                indicator_lines=data["indicator_lines"],
                publish=data["publish"],
            )
        except VigilError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Warning saved."))
            return redirect("intake:advisory_edit", pk=saved.pk)
    return render(
        request,
        "intake/advisory_form.html",
        {"form": form, "advisory": advisory},
        status=400 if form.errors else 200,
    )
