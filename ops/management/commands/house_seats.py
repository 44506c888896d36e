from django.core.management.base import BaseCommand, CommandError

from catalog.house_seats import channel_seats, hold_back_seats, release_channel
from catalog.models import Performance, Seat
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "House seats of a performance: hold back seats (by id, or whole rows of a section) for "
        "a channel, release a channel's seats to the public, or list the channels."
    )

    def add_arguments(self, parser):
        parser.add_argument("--performance", type=int, required=True, metavar="ID")
        parser.add_argument("--channel", help="The channel, such as sponsors, house or press.")
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--seats", metavar="ID,ID,...", help="Hold back these seats.")
        what.add_argument(
            "--rows", metavar="SECTION:ROW,ROW", help="Hold back every seat of these rows."
        )
        what.add_argument("--release", action="store_true", help="Release the channel's seats.")

    def handle(self, *args, performance, channel, seats, rows, release, **options):
        if not Performance.objects.filter(pk=performance).exists():
            raise CommandError(f"No performance {performance}.")
        if (seats or rows or release) and not channel:
            raise CommandError("Name the channel: --channel.")
        try:
            if release:
                released = release_channel(performance_id=performance, channel=channel)
                self.stdout.write(f"Released {released} seats of {channel} to the public.")
            elif seats or rows:
                ids = _seat_ids(performance, seats, rows)
                result = hold_back_seats(
                    performance_id=performance, channel=channel, seat_ids=ids, actor="command"
                )
                self.stdout.write(f"Held back {len(result.held)} seats for {result.channel}.")
                if result.not_free:
                    not_free = ",".join(map(str, result.not_free))
                    self.stdout.write(f"Not free, left as they were: {not_free}")
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        for row in channel_seats(performance_id=performance):
            self.stdout.write(
                f"{row.channel}: {row.held_back} held back, {row.at_desk} at the desk, "
                f"{row.sold} sold"
            )


def _seat_ids(performance: int, seats: str | None, rows: str | None) -> list[int]:
    if seats:
        try:
            return [int(part) for part in seats.split(",") if part.strip()]
        except ValueError:
            raise CommandError("--seats takes seat ids: 12,13,14") from None
    section, _, names = (rows or "").partition(":")
    chosen = Seat.objects.filter(
        performance_id=performance, section__name=section, row__in=names.split(",")
    )
    ids = list(chosen.order_by("id").values_list("id", flat=True))
    if not ids:
        raise CommandError(f"No seats in rows {names} of section {section!r}.")
    return ids
