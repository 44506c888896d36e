from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from catalog.models import Performance
from catalog.publishing import publish_performance
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Publish a performance: buyers see it now, or from --at (the event's local time, "
        "YYYY-MM-DD HH:MM). Refused if it has nothing to sell or seats with no price."
    )

    def add_arguments(self, parser):
        parser.add_argument("performance", type=int, metavar="ID")
        parser.add_argument(
            "--at", metavar="'YYYY-MM-DD HH:MM'", help="When, in the event's time zone."
        )

    def handle(self, *args, performance: int, at: str | None, **options):
        found = Performance.objects.select_related("event").filter(pk=performance).first()
        if found is None:
            raise CommandError(f"No performance {performance}.")
        zone = ZoneInfo(found.event.time_zone)
        moment = None
        if at:
            try:
                moment = datetime.strptime(at, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
            except ValueError:
                raise CommandError("Give --at as 'YYYY-MM-DD HH:MM'.") from None
        try:
            published = publish_performance(performance_id=performance, at=moment)
        except DomainError as error:
            raise CommandError(f"{error.message} (performance {performance})") from None
        shown = published.astimezone(zone)
        self.stdout.write(
            f"Performance {performance} is published: buyers see it from "
            f"{shown:%Y-%m-%d %H:%M} {found.event.time_zone}."
        )
