from django.conf import settings
from django.core.management.base import BaseCommand

from ops.sweeper import sweep_forever, sweep_once


class Command(BaseCommand):
    help = "Free seats whose hold has expired (once, or forever with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Sweep until stopped.")
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.SANDALI_SWEEP_INTERVAL_SECONDS,
            help="Seconds between sweeps with --loop.",
        )

    def handle(self, *args, loop: bool, interval: float, **options):
        if loop:
            sweep_forever(interval=interval)
        else:
            freed = sweep_once()
            if options["verbosity"]:
                self.stdout.write(f"Freed {freed} seats.")
