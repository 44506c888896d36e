import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from catalog.models import Event
from ops.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo events (once): a 30-seat reference event, a 2,000-seat hall, an arena."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when events already exist."
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and Event.objects.exists():
            self.stdout.write("Demo data already loaded.")
            return
        for performance in seed_demo():
            self.stdout.write(
                f"Performance {performance.pk}: {performance.event.name}, "
                f"{performance.seats.count()} seats"
            )
        self._organizer_account()

    def _organizer_account(self) -> None:
        # A local organizer login for the demo only; production creates its staff by hand.
        if settings.PRODUCTION:
            return
        password = os.environ.get("SANDALI_DEMO_ADMIN_PASSWORD", "sandali-demo")
        users = get_user_model()
        if not users.objects.filter(username="organizer").exists():
            users.objects.create_superuser("organizer", "organizer@example.com", password)
            self.stdout.write(f"Organizer admin: /admin/ as organizer / {password}")
