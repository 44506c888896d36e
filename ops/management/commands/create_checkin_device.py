from django.core.management.base import BaseCommand, CommandError

from checkin.devices import create_device, revoke_devices
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Make a check-in device for the door of one or more performances and print its bearer "
        "token once (only its hash is stored); or revoke devices with --revoke."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--performance",
            type=int,
            action="append",
            default=[],
            metavar="ID",
            help="A performance the device checks in (repeat for more).",
        )
        parser.add_argument("--name", default="Gate", help="What the admin calls it: Gate-1.")
        parser.add_argument(
            "--revoke",
            type=int,
            action="append",
            default=[],
            metavar="DEVICE_ID",
            help="Revoke this device instead (repeat for more): its token opens nothing more.",
        )

    def handle(self, *args, performance: list[int], name: str, revoke: list[int], **options):
        if revoke:
            if performance:
                raise CommandError("Give either --performance or --revoke, not both.")
            revoked = revoke_devices(device_ids=revoke)
            self.stdout.write(f"Revoked {revoked} device(s).")
            return
        if not performance:
            raise CommandError("Name at least one performance: --performance ID.")
        try:
            made = create_device(name=name, performance_ids=performance)
        except DomainError as error:
            raise CommandError(f"{error.message} ({', '.join(map(str, performance))})") from None
        served = ", ".join(str(pk) for pk in sorted(set(performance)))
        self.stdout.write(
            f'Check-in device {made.device.pk} "{made.device.name}" for performance(s) {served}.'
        )
        self.stdout.write("Its token, shown this once (only its hash is kept):")
        self.stdout.write(made.token)
        self.stdout.write("Open /checkin/ on the phone at the door and paste the token there.")
