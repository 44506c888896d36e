from django.core.management.base import BaseCommand, CommandError

from catalog.models import Performance
from ops.export_files import FORMATS, write_export


class Command(BaseCommand):
    help = (
        "Export a performance's orders and attendees (one row per ticket: order, buyer, seat, "
        "ticket type, price, status, check-in time) as CSV or Excel."
    )

    def add_arguments(self, parser):
        parser.add_argument("--performance", type=int, required=True, metavar="ID")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv", dest="file_format")
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="Write to this file (needed for xlsx); a CSV goes to standard output without it.",
        )

    def handle(self, *args, performance: int, file_format: str, output: str | None, **options):
        chosen = Performance.objects.select_related("event").filter(pk=performance).first()
        if chosen is None:
            raise CommandError(f"No performance {performance}.")
        if output is None:
            if file_format != "csv":
                raise CommandError("An Excel file needs --output FILE.")
            write_export(chosen, file_format, self.stdout)
            return
        if file_format == "csv":
            with open(output, "w", encoding="utf-8", newline="") as file:
                write_export(chosen, file_format, file)
        else:
            with open(output, "wb") as file:
                write_export(chosen, file_format, file)
        self.stderr.write(f"Wrote {output}.")
