"""API v1 for the door: check-in devices scan tickets with their bearer token. Parse, call
checkin's services and selectors, render; the rules are in checkin/."""

import json
from dataclasses import asdict
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_etags
from ninja import Query, Router, Schema
from ninja.security import HttpBearer

from api import schemas
from api.v1 import PROBLEMS
from catalog.models import PLACE_ROW
from checkin import selectors, services
from checkin.devices import Device, device_for_token
from checkin.errors import PerformanceNotServed
from core.signing import b64url, public_key

router = Router(tags=["check-in"])


class DeviceToken(HttpBearer):
    """The device a check-in token opens; 401 device_not_recognised when unknown or revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> Device:
        return device_for_token(token)


device_token = DeviceToken()


@router.get(
    "/checkin/device", response={200: schemas.CheckinDeviceOut, **PROBLEMS}, auth=device_token
)
def checkin_device(request):
    """The device's name and the performances it checks in."""
    device: Device = request.auth
    return {
        "name": device.name,
        "performances": selectors.door_performances(performance_ids=device.performance_ids),
    }


class ListQuery(Schema):
    performance: schemas.BodyId


@router.get("/checkin/list", response={200: schemas.CheckinListOut, **PROBLEMS}, auth=device_token)
def checkin_list(request, query: Query[ListQuery]):
    """Every ticket of the performance for a scanner to decide offline: the SHA-256 of each
    code (never the code), its seat, ticket type, whether it is valid and when and where it was
    checked in; and the public key that verifies passes. Send the ETag back in If-None-Match:
    304 while nothing changed."""
    device: Device = request.auth
    performance_id = query.performance
    if performance_id not in device.performance_ids:
        raise PerformanceNotServed()
    version = selectors.checkin_list_version(performance_id=performance_id)
    etag = f'"{version}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        (performance,) = selectors.door_performances(performance_ids=[performance_id])
        body = {
            "version": version,
            "public_key": b64url(public_key()),
            "device": device.name,
            "performance": asdict(performance),
            "columns": list(selectors.LIST_COLUMNS),
            "tickets": selectors.checkin_list(performance_id=performance_id),
        }
        text = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
        response = HttpResponse(text, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@router.post("/checkins", response={200: schemas.AdmittedOut, **PROBLEMS}, auth=device_token)
def check_in(request, body: schemas.CheckinIn):
    """Let a ticket in now: 200 admitted with its seat, or 409 already_checked_in (when and
    which device), 409 wrong_performance, 409 ticket_cancelled, 404 ticket_not_found (also a
    pass whose signature does not verify)."""
    admission = services.check_in(
        device=request.auth,
        text=body.code,
        performance_id=body.performance,
        local_id=body.local_id or "",
    )
    return {"result": "admitted", **_ticket_body(admission.ticket, admission.checked_in)}


@router.post(
    "/checkins/batch", response={200: schemas.CheckinBatchOut, **PROBLEMS}, auth=device_token
)
def upload_scans(request, body: schemas.CheckinBatchIn):
    """Scans a device admitted while offline, uploaded when it is back: the earliest scan of a
    ticket is its check-in, whichever arrived first; every later one, and every cancelled or
    other show's ticket let in, is recorded as a conflict. One result per scan, in order; the
    same scan (device and local_id) sent again gets the same result."""
    scans = [
        services.OfflineScan(text=s.code, scanned_at=_aware(s.scanned_at), local_id=s.local_id)
        for s in body.scans
    ]
    sent_at = _aware(body.sent_at) if body.sent_at else None
    outcomes = services.upload_scans(device=request.auth, scans=scans, sent_at=sent_at)
    return {
        "results": [
            {
                "local_id": outcome.local_id,
                "result": outcome.result,
                "detail": outcome.error.message if outcome.error else "",
                "conflict": outcome.conflict,
                **_ticket_body(outcome.ticket, outcome.checked_in),
            }
            for outcome in outcomes
        ]
    }


def _aware(moment: datetime) -> datetime:
    """A time sent without its zone is taken as UTC (what a browser's toISOString sends)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ticket_body(ticket, checked_in) -> dict:
    if ticket is None:
        return {}
    body = {
        "seat": {
            "section": ticket.section,
            "row": ticket.row,
            "number": ticket.number,
            "standing": ticket.row == PLACE_ROW,
        },
        "ticket_type": ticket.ticket_type,
        "performance": {
            "id": ticket.performance_id,
            "event": ticket.event,
            "starts_at": ticket.starts_at,
        },
    }
    if checked_in is not None:
        body.update(checked_in_at=checked_in.scanned_at, device=checked_in.device)
    return body
