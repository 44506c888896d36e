"""A venue layout's seating plan as a file, in the organizer's admin: download it as pretix
JSON or CSV, or upload one to replace the layout's seats (catalog/plan_import.py, all or
nothing). Named URLs taking the layout's id, for the layout's page and the designer:
admin:catalog_venuelayout_export_pretix, …_export_csv, …_import_plan."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from catalog.errors import LayoutRefused
from catalog.models import VenueLayout
from catalog.plan_import import import_plan, parse_price_rules, read_plan_file
from catalog.seating_csv import write_csv
from catalog.seating_plans import write_pretix
from core.errors import DomainError
from ops.admin.forms import ImportPlanForm

SHOWN_PROBLEMS = 50


def plan_file_urls(model_admin) -> list:
    wrap = model_admin.admin_site.admin_view
    views = PlanFileViews(model_admin)
    routes = [
        ("export/pretix/", views.export_pretix, "export_pretix"),
        ("export/csv/", views.export_csv, "export_csv"),
        ("import/", views.import_plan, "import_plan"),
    ]
    return [
        path(f"<int:layout_id>/{route}", wrap(view), name=f"catalog_venuelayout_{name}")
        for route, view, name in routes
    ]


def _download(content: str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class PlanFileViews:
    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def _layout(self, request, layout_id: int, *, change: bool) -> VenueLayout:
        layout = get_object_or_404(VenueLayout.objects.select_related("event"), pk=layout_id)
        allowed = (
            self.model_admin.has_change_permission(request, layout)
            if change
            else self.model_admin.has_view_permission(request, layout)
        )
        if not allowed:
            raise PermissionDenied
        return layout

    def export_pretix(self, request, layout_id: int) -> HttpResponse:
        layout = self._layout(request, layout_id, change=False)
        text = json.dumps(write_pretix(layout), ensure_ascii=False, indent=2)
        return _download(
            text, filename=f"{layout.name}.json", content_type="application/json; charset=utf-8"
        )

    def export_csv(self, request, layout_id: int) -> HttpResponse:
        layout = self._layout(request, layout_id, change=False)
        return _download(
            write_csv(layout), filename=f"{layout.name}.csv", content_type="text/csv; charset=utf-8"
        )

    def import_plan(self, request, layout_id: int) -> HttpResponse:
        layout = self._layout(request, layout_id, change=True)
        problems: list[str] = []
        if request.method == "POST":
            form = ImportPlanForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    plan = read_plan_file(
                        content=upload.read(),
                        filename=upload.name,
                        pixels_per_seat=form.cleaned_data["pixels_per_seat"],
                    )
                    lines = form.cleaned_data["prices"].splitlines()
                    rules = parse_price_rules(lines, where=str(form.fields["prices"].label))
                    count = import_plan(layout=layout, plan=plan, rules=rules)
                except LayoutRefused as error:
                    form.add_error(None, error.message)
                    problems = [p.message for p in error.details["problems"][:SHOWN_PROBLEMS]]
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    self.model_admin.message_user(
                        request,
                        _("The layout %(layout)s now has the plan's %(count)s seats.")
                        % {"layout": layout, "count": count},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:catalog_venuelayout_change", args=[layout.pk])
                    )
        else:
            form = ImportPlanForm()
        context = {
            **self.model_admin.admin_site.each_context(request),
            "title": _("Import a seating plan into %(layout)s") % {"layout": layout},
            "opts": self.model_admin.opts,
            "original": layout,
            "form": form,
            "problems": problems,
            "media": self.model_admin.media + form.media,
        }
        return TemplateResponse(request, "admin/catalog/venuelayout/import_plan.html", context)
