"""The waiting room's page (/performances/<id>/queue/) and what the session keeps of it.

The session keeps, per performance, the seed of its queue token (the token is derived with
SECRET_KEY, as web/session.py does for holds) and, once admitted, the pass; and one random
browser id, to which every pass of this browser is bound. A pass copied into another browser
is refused there: that browser's session has another id. Reloading the page keeps the place.
"""

import secrets

from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.arrival import arrival_ms, waited_ms
from core.errors import DomainError
from core.limits import check_rate, client_address
from core.problems import error_problem
from core.tokens import derived_token
from reservations import waiting_room
from reservations.errors import QueueEntryNotFound, WaitingRoomRequired
from web.pages import performance_or_404

SESSION_BROWSER = "waiting_room_browser"
SESSION_QUEUES = "waiting_room_queues"
SESSION_PASSES = "waiting_room_passes"


def _browser_binding(request: HttpRequest) -> str:
    browser_id = request.session.get(SESSION_BROWSER)
    if not browser_id:
        browser_id = request.session[SESSION_BROWSER] = secrets.token_urlsafe(24)
    return waiting_room.browser_binding(browser_id)


def _queue_token(request: HttpRequest, performance_id: int, *, new: bool = False) -> str | None:
    queues = request.session.get(SESSION_QUEUES, {})
    seed = queues.get(str(performance_id))
    if seed is None or new:
        if not new:
            return None
        seed = queues[str(performance_id)] = secrets.token_urlsafe(24)
        request.session[SESSION_QUEUES] = queues
    return f"{performance_id}-{derived_token(seed, purpose='web-queue')}"


def session_hold_pass(request: HttpRequest, performance_id: int) -> waiting_room.HoldPass | None:
    """The gate of the pages' hold requests (web/selection.py): None while the room is off,
    else this browser's pass, one hold request counted; WaitingRoomRequired without one."""
    try:
        return waiting_room.admit_hold_request(
            performance_id=performance_id,
            pass_text=request.session.get(SESSION_PASSES, {}).get(str(performance_id)),
            binding=_browser_binding(request),
            waited_ms=waited_ms(request),
        )
    except WaitingRoomRequired:
        page = reverse("queue", kwargs={"performance_id": performance_id})
        raise WaitingRoomRequired(queue_page=page) from None


def must_queue(request: HttpRequest, performance_id: int, *, arrival: bool = True) -> bool:
    """Whether the seat map must send this browser to the queue first: the room is on and
    the session holds no valid pass for the performance. The seat map's view counts as an
    arrival (`arrival`); the queue's page and its polls do not (see room_is_on)."""
    terms = waiting_room.room_terms(performance_id=performance_id)
    if terms is None or not waiting_room.room_is_on(terms, arrival=arrival)[0]:
        return False
    try:
        waiting_room.read_pass(
            performance_id=performance_id,
            pass_text=request.session.get(SESSION_PASSES, {}).get(str(performance_id)),
            binding=_browser_binding(request),
        )
    except WaitingRoomRequired:
        return True
    return False


def _status(request: HttpRequest, performance_id: int) -> waiting_room.QueueStatus:
    """Where this browser stands, joining (again) when it has no place: a queue emptied by a
    restart of the in-process store, or a session that never joined."""
    token = _queue_token(request, performance_id)
    if token is not None:
        try:
            return waiting_room.queue_status(token=token)
        except QueueEntryNotFound:
            pass
    # Each place is a pass with its own limits, and a browser that keeps no cookie is a new
    # session each time: places are counted per client address, as the API's are.
    check_rate("queue_joins", client_address(request))
    token = token or _queue_token(request, performance_id, new=True)
    return waiting_room.join_queue(
        performance_id=performance_id, token=token, arrived_ms=arrival_ms(request)
    )


def _admit(request: HttpRequest, status: waiting_room.QueueStatus) -> None:
    passes = request.session.get(SESSION_PASSES, {})
    passes[str(status.performance_id)] = waiting_room.issue_pass(
        status=status, binding=_browser_binding(request)
    )
    request.session[SESSION_PASSES] = passes


def queue_page(request, performance_id: int):
    performance = performance_or_404(performance_id)
    if not must_queue(request, performance_id, arrival=False):
        return redirect("performance", performance_id=performance_id)
    try:
        status = _status(request, performance_id)
    except DomainError as error:
        context = {"performance": performance, "error": error.message}
        page = render(request, "web/queue.html", context, status=error.status)
        if retry_after := getattr(error, "retry_after", None):
            page["Retry-After"] = str(retry_after)
        return page
    if status.admitted:
        _admit(request, status)
        return redirect("performance", performance_id=performance_id)
    here = {"performance_id": performance_id}
    config = {
        "status": reverse("queue-status", kwargs=here),
        "map": reverse("performance", kwargs=here),
        "first": _status_body(status),
        "messages": {
            "position": _("Your place in the queue: %(position)s"),
            "next": _("You are next."),
            "ahead": _("Buyers ahead of you: %(ahead)s"),
            "minutes": _("About %(minutes)s minutes to wait."),
            "minute": _("About a minute to wait."),
            "drawing": _(
                "%(waiting)s buyers are waiting for the sale to open. At opening each gets a "
                "place drawn at random, so arriving earlier or reloading wins nothing."
            ),
            "admitted": _("It is your turn. Taking you to the seat map…"),
            "sold_out": _("Sold out: every seat of this performance has been sold."),
            "paused": _(
                "No seat is free right now: the last ones are held by buyers who are paying. "
                "You keep your place; if seats come back, the queue moves on."
            ),
            "offline": _("Connection lost: trying again…"),
        },
    }
    context = {"performance": performance, "status": status, "config": config}
    return render(request, "web/queue.html", context)


def _status_body(status: waiting_room.QueueStatus) -> dict:
    return {
        "opened": status.opened,
        "admitted": status.admitted,
        "position": status.position,
        "waiting": status.waiting,
        "wait_seconds": status.wait_seconds,
        "sold_out": status.sold_out,
        "paused": status.paused,
        "poll_seconds": status.poll_seconds,
    }


@require_GET
def queue_status(request, performance_id: int):
    """The page's poll: where this browser stands; once admitted, the pass goes into the
    session and the answer says where to go."""
    performance_or_404(performance_id)
    if not must_queue(request, performance_id, arrival=False):
        return JsonResponse(
            {"admitted": True, "next": reverse("performance", args=[performance_id])}
        )
    try:
        status = _status(request, performance_id)
    except DomainError as error:
        return error_problem(error)
    if status.admitted:
        _admit(request, status)
        return JsonResponse(
            {"admitted": True, "next": reverse("performance", args=[performance_id])}
        )
    return JsonResponse(_status_body(status))
