import json
import sys

from django.core.management.base import BaseCommand

from ops.audit import audit


class Command(BaseCommand):
    help = (
        "Check that seats, holds, orders and tickets agree. Exits 1 when anything is "
        "inconsistent (after --fix: when anything is left that needs a person)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Mend what can be mended.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, fix: bool, json: bool, **options):
        report = audit(fix=fix)
        if json:
            self.stdout.write(_dumps(report))
        else:
            self._print(report)
        if report["inconsistency_count"]:
            sys.exit(1)

    def _print(self, report: dict) -> None:
        for performance_id, totals in report["totals_by_status"].items():
            figures = ", ".join(f"{status} {n}" for status, n in totals.items())
            self.stdout.write(f"Performance {performance_id}: {figures}")
        self.stdout.write(
            f"Expired holds still marked reserved (read as available): "
            f"{report['expired_holds_marked_reserved']}"
        )
        for name, count in report["fixed"].items():
            self.stdout.write(f"Fixed {name}: {count}")
        for name, found in report["inconsistencies"].items():
            ids = ", ".join(map(str, found["ids"]))
            self.stdout.write(self.style.ERROR(f"{name}: {found['count']} (ids {ids})"))
        if not report["inconsistencies"]:
            self.stdout.write(self.style.SUCCESS("No inconsistencies."))


def _dumps(report: dict) -> str:
    return json.dumps(report, indent=2, sort_keys=True, default=str)
