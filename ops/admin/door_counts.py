"""The door's figures on a performance's admin page: admitted / expected per section and the
conflicts, counted from the ticket and check-in rows by checkin/selectors.py."""

from django.template.loader import render_to_string
from django.urls import reverse

from catalog.models import Performance
from checkin.models import ConflictKind
from checkin.selectors import conflict_counts, door_counts


def door_table(performance: Performance) -> str:
    counts = door_counts(performance_ids=[performance.pk])
    rows = [
        {
            "section": count.section,
            "admitted": count.admitted,
            "expected": count.expected,
            "waiting": count.expected - count.admitted,
        }
        for count in counts
    ]
    totals = {key: sum(row[key] for row in rows) for key in ("admitted", "expected", "waiting")}
    conflicts = [
        {"kind": ConflictKind(kind).label, "code": kind, "count": count}
        for _performance, kind, count in conflict_counts(performance_ids=[performance.pk])
    ]
    context = {
        "rows": rows,
        "totals": totals,
        "conflicts": conflicts,
        "conflicts_url": f"{reverse('admin:checkin_checkinconflict_changelist')}"
        f"?performance={performance.pk}",
        "devices_url": reverse("admin:checkin_checkindevice_add"),
    }
    return render_to_string("admin/checkin/door_table.html", context)
