"""Check-in devices: made by an organizer (admin or `manage.py create_checkin_device`), reached
with the bearer token given once when made (only its SHA-256 hash is stored), revoked at once.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from catalog.errors import PerformanceNotFound
from catalog.models import Performance
from checkin.errors import DeviceNotRecognised
from checkin.models import CheckinDevice
from core.dbtime import DbNow, db_now
from core.tokens import hash_token, new_token


@dataclass(frozen=True)
class Device:
    """A device as a request that bears its token sees it."""

    id: int
    name: str
    performance_ids: frozenset[int]


@dataclass(frozen=True)
class NewDevice:
    device: CheckinDevice
    token: str  # shown once; never stored


def create_device(*, name: str, performance_ids: Sequence[int]) -> NewDevice:
    """A device for these performances, and its token (which nobody can read again)."""
    wanted = set(performance_ids)
    with transaction.atomic():
        found = set(Performance.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if not wanted or found != wanted:
            raise PerformanceNotFound()
        token = new_token()
        device = CheckinDevice.objects.create(
            name=name, token_hash=hash_token(token), created_at=db_now()
        )
        device.performances.set(sorted(wanted))
    return NewDevice(device=device, token=token)


def revoke_devices(*, device_ids: Sequence[int]) -> int:
    """Revoke these devices: their token opens nothing from the next request on. Returns how
    many were revoked now (a device revoked before keeps its first revocation time)."""
    return CheckinDevice.objects.filter(pk__in=device_ids, revoked_at__isnull=True).update(
        revoked_at=DbNow()
    )


def device_for_token(token: str | None) -> Device:
    """The device this bearer token opens; DeviceNotRecognised for an unknown or revoked one.
    Looked up by the token's hash, so the stored hash is never compared byte by byte."""
    if not token:
        raise DeviceNotRecognised()
    row = (
        CheckinDevice.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .values_list("pk", "name")
        .first()
    )
    if row is None:
        raise DeviceNotRecognised()
    served = CheckinDevice.performances.through.objects.filter(checkindevice_id=row[0])
    return Device(
        id=row[0],
        name=row[1],
        performance_ids=frozenset(served.values_list("performance_id", flat=True)),
    )
