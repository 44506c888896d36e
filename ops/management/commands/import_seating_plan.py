"""manage.py import_seating_plan FILE (--performance ID | --event ID --starts-at ISO): a pretix
seating-plan JSON or a CSV into a new layout of the event, and a new performance made from it
(--event) or an existing performance with no seats yet (--performance). Prints the
performance's id; an invalid file is named, located, and changes nothing (exit 1)."""

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.errors import LayoutRefused
from catalog.models import Event, Performance
from catalog.plan_import import (
    import_plan_as_performance,
    import_plan_into_performance,
    parse_price_rules,
    read_plan_file,
)
from core.dbtime import db_now
from core.errors import DomainError

SHOWN_PROBLEMS = 20


def _moment(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{option}: {text!r} is not an ISO date and time") from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Import a seating plan (pretix JSON or CSV) into a new performance of an event or "
        "into a performance that has no seats yet; prints the performance's id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A pretix seating-plan .json or a .csv")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--performance", type=int, help="Fill this performance (no seats yet)")
        target.add_argument("--event", type=int, help="Make a new performance of this event")
        parser.add_argument("--starts-at", help="With --event: when it starts (ISO 8601)")
        parser.add_argument("--sales-start", help="With --event: sales start (default: now)")
        parser.add_argument("--sales-end", help="With --event: sales end (default: --starts-at)")
        parser.add_argument(
            "--price",
            action="append",
            default=[],
            help='"Ticket type=40" for every section or "Section:Ticket type=40"; repeatable',
        )
        parser.add_argument("--name", help="The new layout's name (default: the plan's)")
        parser.add_argument(
            "--pixels-per-seat",
            type=float,
            help="pretix plans: pixels one seat wide (default: the seats' diameter, 20)",
        )

    def handle(self, *args, file, performance, event, starts_at, sales_start, sales_end, **opts):
        if event is not None and not starts_at:
            raise CommandError("--event needs --starts-at")
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            plan = read_plan_file(
                content=content, filename=path.name, pixels_per_seat=opts["pixels_per_seat"]
            )
            rules = parse_price_rules(opts["price"], where="--price")
            if performance is not None:
                target = Performance.objects.filter(pk=performance).first()
                if target is None:
                    raise CommandError(f"There is no performance {performance}.")
                import_plan_into_performance(
                    performance=target, plan=plan, rules=rules, layout_name=opts["name"]
                )
            else:
                owner = Event.objects.filter(pk=event).first()
                if owner is None:
                    raise CommandError(f"There is no event {event}.")
                starts = _moment(starts_at, "--starts-at")
                target = import_plan_as_performance(
                    event=owner,
                    plan=plan,
                    starts_at=starts,
                    sales_start=_moment(sales_start, "--sales-start") if sales_start else db_now(),
                    sales_end=_moment(sales_end, "--sales-end") if sales_end else starts,
                    rules=rules,
                    layout_name=opts["name"],
                )
        except LayoutRefused as error:
            lines = [f"  {problem.message}" for problem in error.details["problems"]]
            more = len(lines) - SHOWN_PROBLEMS
            shown = lines[:SHOWN_PROBLEMS] + ([f"  … and {more} more"] if more > 0 else [])
            raise CommandError("\n".join([f"{file}: {error.message}", *shown])) from error
        except DomainError as error:
            raise CommandError(f"{file}: {error.message}") from error
        self.stdout.write(str(target.pk))
