"""Holds that already became orders are marked checked out (reservations.Hold.checked_out)."""

from django.db import migrations


def mark_checked_out(apps, schema_editor):
    Hold = apps.get_model("reservations", "Hold")
    Order = apps.get_model("orders", "Order")
    Hold.objects.filter(id__in=Order.objects.values("hold_id")).update(checked_out=True)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_payment_attempts"),
        ("reservations", "0003_hold_checked_out"),
    ]

    operations = [migrations.RunPython(mark_checked_out, migrations.RunPython.noop)]
