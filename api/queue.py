"""The waiting room on the API: join a performance's queue, ask where you stand, and the gate
every hold request of a performance passes (reservations/waiting_room.py decides)."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from api import schemas
from api.errors import QueueTokenRequired
from api.lean_path import raise_lean_refusal
from core.arrival import arrival_ms, waited_ms
from core.limits import check_rate, client_address
from reservations import waiting_room
from reservations.errors import WaitingRoomRequired
from reservations.hold_checks import client_key
from reservations.selectors import performance_of_hold

router = Router()
PROBLEMS = {code: schemas.ProblemOut for code in (400, 403, 404, 409, 422, 429, 503)}

PASS_HEADER = "Sandali-Pass"
QUEUE_TOKEN_HEADER = "Sandali-Queue-Token"
# The hold requests' headers, in their OpenAPI description (they are read from the request).
PASS_HEADERS = [
    {
        "name": PASS_HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 500},
        "description": "While the performance's waiting room is on: the pass that "
        "GET /queue gave once admitted (else 403 waiting_room_required).",
    },
    {
        "name": QUEUE_TOKEN_HEADER,
        "in": "header",
        "required": False,
        # What POST .../queue hands out: the performance's id, "-", then the URL-safe secret.
        "schema": {"type": "string", "pattern": "^[0-9]+-[A-Za-z0-9_-]+$", "maxLength": 200},
        "description": "The queue token the pass was given to.",
    },
]
# The queue token is a secret: it travels in a header, never in a URL (which access logs,
# proxies and browser histories keep).
QUEUE_TOKEN_PARAMETER = {
    "name": QUEUE_TOKEN_HEADER,
    "in": "header",
    "required": True,
    # What POST .../queue hands out: the performance's id, "-", then the URL-safe secret.
    "schema": {"type": "string", "pattern": "^[0-9]+-[A-Za-z0-9_-]+$", "maxLength": 200},
    "description": "The token that POST /performances/{performance_id}/queue returned.",
}


def _body(status: waiting_room.QueueStatus, *, token: str, new: bool) -> dict:
    hold_pass = None
    if status.admitted:
        binding = waiting_room.token_binding(token)
        hold_pass = waiting_room.issue_pass(status=status, binding=binding)
    return {
        "token": token if new else None,
        "performance_id": status.performance_id,
        "opened": status.opened,
        "admitted": status.admitted,
        "position": status.position,
        "waiting": status.waiting,
        "wait_seconds": status.wait_seconds,
        "rate_per_minute": status.rate_per_minute,
        "opens_at": status.opens_at,
        "sold_out": status.sold_out,
        "paused": status.paused,
        "poll_seconds": status.poll_seconds,
        "pass": hold_pass,
    }


@router.post(
    "/performances/{performance_id}/queue",
    response={201: schemas.QueueOut, **PROBLEMS},
    by_alias=True,
    tags=["waiting room"],
)
def join_queue(request, performance_id: schemas.Id):
    """Take a place in the performance's waiting room (409 no_waiting_room when it is off).
    The token is returned once; ask GET /queue with it until `admitted`, then send `pass`.
    Places per client address are limited (429 rate_limited): each carries its own limits."""
    raise_lean_refusal(request)
    return Status(201, join_answer(request, performance_id=performance_id))


def join_answer(request: HttpRequest, *, performance_id: int) -> dict:
    """A join, for the view and the lean path (api/queue_lean.py) alike."""
    check_rate("queue_joins", client_address(request))
    token = waiting_room.queue_token(performance_id)
    status = waiting_room.join_queue(
        performance_id=performance_id, token=token, arrived_ms=arrival_ms(request)
    )
    return _body(status, token=token, new=True)


@router.get(
    "/queue",
    response={200: schemas.QueueOut, **PROBLEMS},
    by_alias=True,
    tags=["waiting room"],
    openapi_extra={"parameters": [QUEUE_TOKEN_PARAMETER]},
)
def queue_place(request):
    """Where the place of the Sandali-Queue-Token header stands (400 queue_token_required
    without it); with `pass` once it is admitted: a new pass at each ask, but every pass of
    one place shares its one count of hold requests. Ask again after `poll_seconds` (a minute
    once `sold_out`: seats may come back)."""
    raise_lean_refusal(request)
    return place_answer(request)


def place_answer(request: HttpRequest) -> dict:
    """A poll, for the view and the lean path (api/queue_lean.py) alike."""
    token = request.headers.get(QUEUE_TOKEN_HEADER)
    if not token:
        raise QueueTokenRequired()
    status = waiting_room.queue_status(token=token)
    return _body(status, token=token, new=False)


def queue_urls(performance_id: int) -> dict:
    here = {"performance_id": performance_id}
    return {
        "queue": reverse("api:join_queue", kwargs=here),
        "queue_page": reverse("queue", kwargs=here),
    }


_hold_performances: dict[int, int] = {}


def hold_performance(hold_id: int) -> int | None:
    """The performance of a hold, remembered by the process (a hold never changes
    performance): the gate of added seats and checkouts then costs no query on the rush."""
    performance_id = _hold_performances.get(hold_id)
    if performance_id is None:
        performance_id = performance_of_hold(hold_id=hold_id)
        if performance_id is not None:
            remember_hold_performance(hold_id, performance_id)
    return performance_id


def remember_hold_performance(hold_id: int, performance_id: int) -> None:
    """Told by the request that made the hold, so that its checkout in this process asks
    nothing (a rush's checkout is the only request of its hold after the hold's own)."""
    if len(_hold_performances) >= 100_000:
        _hold_performances.clear()
    _hold_performances[hold_id] = performance_id


def forget_hold_performances() -> None:
    """For tests: SQLite gives the ids of rolled-back holds again (holds are never deleted)."""
    _hold_performances.clear()


def hold_client_key(
    request: HttpRequest, *, performance_id: int | None = None, hold_id: int | None = None
) -> str:
    """The gate of a hold request: while the performance's room is on, the request's pass
    (headers Sandali-Pass and Sandali-Queue-Token) carries the buyer's limits, and the key
    returned counts seats per pass; otherwise the client's address does (its rate counted)."""
    if performance_id is None:
        performance_id = hold_performance(hold_id)
    address = client_address(request)
    if performance_id is not None:
        token = request.headers.get(QUEUE_TOKEN_HEADER)
        try:
            hold_pass = waiting_room.admit_hold_request(
                performance_id=performance_id,
                pass_text=request.headers.get(PASS_HEADER),
                binding=waiting_room.token_binding(token) if token else None,
                waited_ms=waited_ms(request),
            )
        except WaitingRoomRequired:
            raise WaitingRoomRequired(**queue_urls(performance_id)) from None
        if hold_pass is not None:
            return hold_pass.client_key
    check_rate("holds", address)
    return client_key(address)
