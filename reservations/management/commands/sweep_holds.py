import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from reservations.services import release_expired_holds


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
        while True:
            freed = self.sweep()
            if not loop:
                self.stdout.write(f"Freed {freed} seats.")
                return
            time.sleep(interval)

    def sweep(self) -> int:
        close_old_connections()
        freed = 0
        while batch := release_expired_holds():
            freed += len(batch)
        if freed:
            self.stdout.write(f"Freed {freed} seats.")
        return freed
