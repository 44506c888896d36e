import argparse

from django.core.management.base import BaseCommand, CommandError

from ops.periodic import sweep_once


class Command(BaseCommand):
    help = (
        "Run the sweeper once, now: free the seats of expired holds (and tell watchers), settle "
        "payments left unsettled, enqueue lost mails. Workers (run_worker) do this every few "
        "seconds by themselves."
    )

    def add_arguments(self, parser):
        # The loop of old; run_worker replaced it.
        parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--interval", help=argparse.SUPPRESS)

    def handle(self, *args, loop: bool, interval: str | None, **options):
        if loop or interval is not None:
            raise CommandError(
                "sweep_holds --loop is gone: `manage.py run_worker` runs the sweeper's tasks "
                "every SANDALI_SWEEP_INTERVAL_SECONDS, and the mails; run it instead of "
                "sweep_holds --loop and db_worker."
            )
        freed = sweep_once()
        if options["verbosity"]:
            self.stdout.write(f"Freed {freed} seats.")
