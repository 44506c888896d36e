"""The organizers' pages outside the admin: the seat-map designer (staff only)."""

from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>
from ops import designer

urlpatterns = [
    path("layouts/<id:layout_id>/", designer.designer_page, name="designer"),
    path("layouts/<id:layout_id>/document", designer.designer_document, name="designer-document"),
    path("layouts/<id:layout_id>/rows", designer.designer_rows, name="designer-rows"),
]
