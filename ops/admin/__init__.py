"""The organizer's admin: every model's page, its actions and forms, in one place above the
domain apps (Django's admin autodiscovery imports this package)."""

from ops.admin import (  # noqa: F401 - registers the pages
    catalog,
    checkin,
    layouts,
    orders,
    payment_pages,
    reservations,
    seats,
    waiting_list,
)
