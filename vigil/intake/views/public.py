"""Public pages: report a scam, follow a report, look a value up, read warnings. No log-in."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from vigil.core.middleware import too_large_response
from vigil.core.models import Category
from vigil.errors import InvalidInput, VigilError
from vigil.intake import conf, guards, services
from vigil.intake.choices import ReportKind
from vigil.intake.forms import LookupForm, ReportForm, TrackForm
from vigil.intake.models import Advisory, Report
from vigil.intake.services import committer
from vigil.intake.services.drafts import KIND_TYPES, StoredImage

# Label and example for the main field, per kind (the page's script switches them).
KIND_HINTS: dict[str, tuple[Any, str]] = {
    ReportKind.WEBSITE: (gettext_lazy("Web address"), "vcb-xacminh.com"),
    ReportKind.PHONE_CALL: (gettext_lazy("Phone number that called you"), "0912 345 678"),
    ReportKind.SMS: (gettext_lazy("Sender (number or name shown)"), "0912 345 678 / VCB"),
    ReportKind.BANK_ACCOUNT: (gettext_lazy("Bank and account number"), "Vietcombank 0123456789"),
    ReportKind.EMAIL: (gettext_lazy("Sender's e-mail address"), "hotro@vcb-xacminh.com"),
    ReportKind.SOCIAL: (gettext_lazy("Link to the account or page"), "https://facebook.com/…"),
    ReportKind.APP: (gettext_lazy("App link or package name"), "https://play.google.com/…"),
    ReportKind.OTHER: (gettext_lazy("Website, number or account"), ""),
}


def _kinds() -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "field_label": str(KIND_HINTS[value][0]),
            "placeholder": KIND_HINTS[value][1],
            "types": ",".join(KIND_TYPES[value]),
        }
        for value, label in ReportKind.choices
    ]


def _form_page(request: HttpRequest, form: ReportForm, *, status: int = 200) -> HttpResponse:
    bits = guards.required_bits(request)
    kind = (form["kind"].value() or ReportKind.WEBSITE) if form.is_bound else form.initial.get("kind")
    context = {
        "form": form,
        "kinds": _kinds(),
        "current_kind": kind,
        "value_label": KIND_HINTS.get(str(kind), KIND_HINTS[ReportKind.OTHER])[0],
        "value_placeholder": KIND_HINTS.get(str(kind), KIND_HINTS[ReportKind.OTHER])[1],
        "pow_bits": bits,
        "pow_challenge": guards.new_challenge(bits) if bits else "",
        "max_screenshots": conf.get("SCREENSHOTS_MAX"),
    }
    return render(request, "intake/report_form.html", context, status=status)


def report(request: HttpRequest) -> HttpResponse:
    """The one form for every kind of scam; a valid report gets a tracking code at once."""
    if request.method == "POST":
        return _submit(request)
    initial = {
        "kind": request.GET.get("kind") if request.GET.get("kind") in ReportKind.values else "website",
        "value": request.GET.get("value", "")[:2048],
    }
    return _form_page(request, ReportForm(initial=initial))


def _add_errors(form: ReportForm, fields: dict[str, str]) -> None:
    for name, message in fields.items():
        form.add_error(name if name in form.fields else None, message)


def _store_images(form: ReportForm) -> list[StoredImage]:
    files = form.cleaned_data.get("screenshots") or []
    if len(files) > conf.get("SCREENSHOTS_MAX"):
        form.add_error("screenshots", _("Attach at most %(n)s images.") % {"n": conf.get("SCREENSHOTS_MAX")})
        return []
    stored = []
    for upload in files:
        try:
            stored.append(services.store_screenshot(b"".join(upload.chunks()), upload.name or ""))
        except VigilError as exc:
            form.add_error("screenshots", f"{upload.name}: {exc.message}")
    return stored


def _submit(request: HttpRequest) -> HttpResponse:
    attempt = guards.report_attempt(request)
    if not attempt.allowed:
        return guards.too_many(request, attempt.retry_after)
    limit = conf.get("SCREENSHOTS_MAX") * conf.get("SCREENSHOT_MAX_BYTES") + 1024 * 1024
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        return too_large_response(request, limit)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    needed = guards.required_bits(request)
    if needed and not guards.solved(data["pow_challenge"], data["pow_nonce"], needed):
        form.add_error(
            None,
            _(
                "Many reports are arriving: your browser must finish a short check first. "
                "Press Send again and wait a moment."
            ),
        )
        return _form_page(request, form, status=400)
    try:
        draft = services.prepare_report(
            kind=data["kind"],
            value=data["value"],
            text=data["text"],
            description=data["description"],
            money_lost=data["money_lost"],
            happened_on=data["happened_on"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            consent=data["consent"],
            language=get_language() or "",
        )
    except services.ReportInvalid as exc:
        _add_errors(form, exc.fields)
        return _form_page(request, form, status=400)
    images = _store_images(form)
    if form.errors:
        return _form_page(request, form, status=400)
    report = committer.store(dataclasses.replace(draft, screenshots=tuple(images)))
    guards.note_accepted(request)
    response = HttpResponse(status=303)
    response["Location"] = reverse("intake:status", kwargs={"code": report.tracking_code}) + "?new=1"
    return response


@guards.limit_pages("intake-status", "PAGES_PER_IP_MINUTE")
def status(request: HttpRequest, code: str) -> HttpResponse:
    """The report's status in plain words, and the public decision once there is one."""
    report = Report.objects.select_related("case").filter(tracking_code=services.normalise_code(code)).first()
    if report is None:
        return render(
            request,
            "intake/status_find.html",
            {"form": TrackForm(initial={"code": code}), "not_found": True},
            status=404,
        )
    view = services.public_view(report)
    context = {
        "report": report,
        "view": view,
        "indicators": list(report.indicators.all()),
        "screenshot_count": report.screenshots.count(),
        "new": request.GET.get("new") == "1",
    }
    response = render(request, "intake/status.html", context)
    response["Cache-Control"] = "no-store"
    return response


@guards.limit_pages("intake-status", "PAGES_PER_IP_MINUTE")
def find_status(request: HttpRequest) -> HttpResponse:
    """Type a tracking code, reach its status page."""
    form = TrackForm(request.GET or None)
    if form.is_valid():
        return redirect("intake:status", code=services.normalise_code(form.cleaned_data["code"]))
    return render(request, "intake/status_find.html", {"form": form})


@guards.limit_pages("intake-lookup", "LOOKUPS_PER_IP_MINUTE")
def lookup(request: HttpRequest) -> HttpResponse:
    """Is this website, number or account known? Nothing about the visitor is stored."""
    form = LookupForm(request.GET or None)
    result, error = None, ""
    if form.is_valid():
        try:
            result = services.look_up(form.cleaned_data["q"])
        except InvalidInput as exc:
            error = _(
                "We could not recognise this as a website, phone number or bank account (%(detail)s)."
            ) % {"detail": exc.message}
            form.add_error("q", error)
    response = render(
        request, "intake/lookup.html", {"form": form, "result": result}, status=400 if error else 200
    )
    response["Cache-Control"] = "no-store"
    return response


@guards.limit_pages("intake-pages", "PAGES_PER_IP_MINUTE")
def warnings_list(request: HttpRequest) -> HttpResponse:
    """Published warnings, newest first, searchable."""
    query = request.GET.get("q", "").strip()[:200]
    advisories = Advisory.objects.published().select_related("category")
    if query:
        advisories = advisories.search(query)
    category = request.GET.get("category", "")
    if category:
        advisories = advisories.filter(category__code=category)
    page = Paginator(advisories.defer("search_text"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/warnings_list.html",
        {
            "page": page,
            "query": query,
            "category": category,
            "categories": Category.objects.filter(is_active=True),
        },
    )


@guards.limit_pages("intake-pages", "PAGES_PER_IP_MINUTE")
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    advisory = Advisory.objects.published().select_related("category").filter(pk=pk).first()
    if advisory is None:
        raise Http404(_("No such warning."))
    return render(request, "intake/warning_detail.html", {"advisory": advisory})
