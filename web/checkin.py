"""The scanner at the door (/checkin/): a page for a phone that checks tickets in through the
check-in API with its device token, and keeps deciding when the network is gone (its modules
are web/static/web/checkin*.js). The page itself holds no data: the token is entered on the
phone and stays there; everything else comes from the API."""

import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from checkin.errors import TicketCancelled, TicketNotFound, WrongPerformance

# The page's modules and what they load: the service worker keeps them for a reload offline.
MODULES = ("checkin.js", "checkin-store.js", "checkin-decide.js", "checkin-camera.js")
ASSETS = ("sandali.css", "vendor/jsQR.js")


def messages() -> dict:
    """The texts the scanner shows, in the page's language."""
    return {
        "titles": {
            "admitted": _("ADMITTED"),
            "already_checked_in": _("ALREADY USED"),
            "wrong_performance": _("WRONG SHOW"),
            "ticket_not_found": _("NOT VALID"),
            "ticket_cancelled": _("NOT VALID"),
            "error": _("NOT CHECKED"),
        },
        "details": {
            "wrong_performance": str(WrongPerformance.title),
            "ticket_not_found": str(TicketNotFound.title),
            "ticket_cancelled": str(TicketCancelled.title),
            "error": _("The ticket could not be checked. Try again."),
        },
        "used_at": _("at %(time)s at %(device)s."),
        "seat": _("%(section)s · row %(row)s · seat %(number)s"),
        "standing": _("%(section)s · standing"),
        "offline": _("Decided on this phone (offline)."),
        "not_in_list": _("Not in the list (sold after it was downloaded): the pass is genuine."),
        "ready": _("Ready: hold a ticket's QR code to the camera, or type its code."),
        "online": _("Online"),
        "offline_state": _("Offline"),
        "queued": _("Offline scans to upload: %(count)s"),
        "uploaded": _("Offline scans uploaded: %(count)s."),
        "list_status": _("%(count)s tickets in the list, updated %(time)s"),
        "no_list": _("No check-in list on this phone yet: connect once to download it."),
        "token_refused": _("This device token was not accepted. Enter a new one."),
        "no_camera": _("No camera available: type the codes instead."),
        "no_performance": _("This device serves no performance."),
        "forget_confirm": _("Forget this device's token and its offline scans on this phone?"),
    }


@require_GET
def checkin_page(request):
    config = {
        "urls": {
            "device": reverse("api:checkin_device"),
            "list": reverse("api:checkin_list"),
            "checkins": reverse("api:check_in"),
            "batch": reverse("api:upload_scans"),
            "page": reverse("checkin"),
            "serviceWorker": reverse("checkin-sw"),
            "jsqr": static("web/vendor/jsQR.js"),
        },
        "timeZone": settings.TIME_ZONE,
        "messages": messages(),
    }
    return render(request, "web/checkin.html", {"config": config})


@require_GET
def checkin_service_worker(request):
    """The scanner's service worker, served under /checkin/ so that its scope is the page.
    It lists the page's files as this server names them (hashed in production); its text, and
    so its cache's name, changes whenever one of them does."""
    files = [static(f"web/{name}") for name in MODULES + ASSETS]
    # Modules import each other by their plain names, which a hashed build keeps serving.
    files += [f"{settings.STATIC_URL}web/{name}" for name in MODULES]
    precache = sorted({reverse("checkin"), *files})
    version = hashlib.sha256(_file_digests(MODULES + ASSETS).encode()).hexdigest()[:16]
    context = {
        "precache": json.dumps(precache),
        "cache_name": json.dumps(f"sandali-checkin-{version}"),
        "page": json.dumps(reverse("checkin")),
        "static_prefix": json.dumps(settings.STATIC_URL),
    }
    response = render(request, "web/checkin-sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


def _file_digests(names) -> str:
    digests = []
    for name in names:
        path = finders.find(f"web/{name}")
        with open(path, "rb") as file:
            digests.append(hashlib.sha256(file.read()).hexdigest())
    return ":".join(digests)
