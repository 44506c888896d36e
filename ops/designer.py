"""The seat-map designer, for staff: a page that draws a venue layout on a canvas and edits it
whole, and the JSON endpoints behind it. The document is read and saved by
catalog/layout_documents.py (through the one writer of a layout); rows are laid out here on the
server, so that the designer's numbering and curves are the ones the layout code has."""

import json

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog.errors import LayoutDocumentTooLarge, LayoutRefused
from catalog.layout_documents import (
    layout_document,
    place_row_document,
    problems_json,
    save_layout_document,
)
from catalog.models import VenueLayout
from core.errors import DomainError
from core.problems import error_problem, problem_response


def _layout_or_404(layout_id: int) -> VenueLayout:
    try:
        return VenueLayout.objects.select_related("event").get(pk=layout_id)
    except VenueLayout.DoesNotExist:
        raise Http404 from None


@staff_member_required
def designer_page(request, layout_id: int):
    layout = _layout_or_404(layout_id)
    here = {"layout_id": layout.pk}
    config = {
        "layout": layout.pk,
        "urls": {
            "document": reverse("designer-document", kwargs=here),
            "rows": reverse("designer-rows", kwargs=here),
        },
        "messages": designer_messages(),
    }
    return render(request, "ops/designer.html", {"layout": layout, "config": config})


@staff_member_required
@require_http_methods(["GET", "POST"])
def designer_document(request, layout_id: int):
    """GET: the layout's document. POST: save a document in its place, all or nothing: 200
    with the seat count and the new revision, or 422 problem+json, a layout that cannot be
    sold with its `problems` located (section, row, number, other) in the user's language;
    409 if somebody else saved since the document's revision was read."""
    layout = _layout_or_404(layout_id)
    if request.method == "GET":
        return JsonResponse(layout_document(layout))
    try:
        seats = save_layout_document(layout, _json_body(request))
    except LayoutRefused as error:
        return _refused(error)
    except DomainError as error:
        return error_problem(error)
    layout.refresh_from_db(fields=["revision"])
    return JsonResponse({"seats": seats, "revision": layout.revision})


@staff_member_required
@require_POST
def designer_rows(request, layout_id: int):
    """One row laid out from its spec (catalog/layout_documents.py place_row_document)."""
    _layout_or_404(layout_id)
    try:
        seats = place_row_document(_json_body(request))
    except LayoutRefused as error:
        return _refused(error)
    except DomainError as error:
        return error_problem(error)
    return JsonResponse({"seats": seats})


def _json_body(request):
    """The request's JSON, read here rather than through request.body: a hall's document is
    far above the API's body limit (DATA_UPLOAD_MAX_MEMORY_SIZE), so it has its own,
    SANDALI_MAX_LAYOUT_BYTES, checked before and while it is read."""
    limit = settings.SANDALI_MAX_LAYOUT_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        raise LayoutDocumentTooLarge(limit=limit)
    try:
        return json.loads(body)
    except ValueError:
        return None  # refused, located at the document itself, by the checks that follow


def _refused(error: LayoutRefused) -> JsonResponse:
    problems = problems_json(error.details["problems"])
    return problem_response(
        status=error.status, code=error.code, detail=error.message, problems=problems
    )


def designer_messages() -> dict:
    """The words designer.js writes, in the user's language (the template has the rest)."""
    return {
        "saved": _("Saved: %(seats)s seats."),
        "refused": _("Not saved: %(count)s problems. The seats concerned are marked in red."),
        "error": _("Something went wrong. Please try again."),
        "no_section": _("Add a section first."),
        "new_section": _("Section %(number)s"),
        "selected": _("%(count)s seats selected"),
        "nothing_selected": _("Nothing selected"),
        "no_ticket_type": _("no ticket type"),
        "price_of": _("Price of %(ticket_type)s"),
        "stage": _("Stage"),
        "new_area": _("Standing area"),
        "area_places": _("standing · %(capacity)s places"),
        "places_left": _("%(free)s of %(capacity)s places left"),  # the buyer's map's words
        "area_no_rows": _("A standing area has no rows: its places are sold by quantity."),
    }
