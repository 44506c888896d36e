"""The organizer's admin: every model's page, its actions and forms, in one place above the
domain apps (Django's admin autodiscovery imports this package)."""

from ops.admin import catalog, checkin, orders, reservations, seats  # noqa: F401 - registers the pages
