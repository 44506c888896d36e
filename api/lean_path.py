"""What the lean paths in front of Django share (api/queue_lean.py, api/map_lean.py): a WSGI
middleware that answers a few of the busiest requests itself, with the response headers of
the same middleware instances Django would run (X-Frame-Options, Content-Length, the
language's Content-Language and Vary, the security headers) and the same latency metric, and
hands anything unusual to Django untouched: an Origin header (the API's origin gate decides),
a host Django refuses, a redirect the security or common middleware would make.

An error the lean answer meets (an unknown id, the database or the cache down) is handed to
Django with the request, in its environ: the view raises it before doing anything
(`raise_lean_refusal`), so the work is not done twice and Django renders it as it always did.
Django's request_started and request_finished are sent around each lean answer as Django sends
them around its own: a connection past CONN_MAX_AGE or broken is closed, as after any request.
"""

import time

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import resolve

from core.metrics import REQUEST_SECONDS

LEAN_REFUSAL = "sandali.lean.refusal"  # the error a lean path met, in the environ it hands on


def raise_lean_refusal(request: HttpRequest) -> None:
    """In a view a lean path serves: raise the error the lean path met for this request (the
    same code as the view's raised it), before anything is done or counted again."""
    refusal = request.META.get(LEAN_REFUSAL)
    if refusal is not None:
        raise refusal


def _not_called(request):  # the middleware below are only asked for their hooks
    raise AssertionError("the lean path never calls on")


class LeanPath:
    def __init__(self, application):
        self.application = application
        self.security = SecurityMiddleware(_not_called)
        self.common = CommonMiddleware(_not_called)
        self.locale = LocaleMiddleware(_not_called)
        self.xframe = XFrameOptionsMiddleware(_not_called)
        self._routes: dict[str, str] = {}

    def __call__(self, environ, start_response):
        if not self.serves(environ):
            return self.application(environ, start_response)
        request_started.send(sender=self.__class__, environ=environ)
        try:
            body = self.lean_answer(environ, start_response)
        finally:
            request_finished.send(sender=self.__class__)
        if body is None:  # Django answers, raising in the view what the lean path met, if any
            return self.application(environ, start_response)
        return body

    def serves(self, environ) -> bool:
        """Whether this is one of the requests the lean path answers (by method and path)."""
        raise NotImplementedError

    def lean_answer(self, environ, start_response) -> list[bytes] | None:
        """The answer's body, its status and headers given to start_response; None for Django
        to answer (see hand_on)."""
        raise NotImplementedError

    @staticmethod
    def hand_on(environ, refusal: Exception | None = None) -> None:
        """For Django to answer: as it is, or raising `refusal` in the view."""
        if refusal is not None:
            environ[LEAN_REFUSAL] = refusal

    def admit(self, environ) -> WSGIRequest | None:
        """The request, if Django's own request middleware would let it through as it is;
        None if Django must answer it."""
        if "HTTP_ORIGIN" in environ:
            return None
        request = WSGIRequest(environ)
        try:
            if self.security.process_request(request) or self.common.process_request(request):
                return None
        except DisallowedHost:
            return None
        return request

    def send(self, request, response: HttpResponse, start_response, *, started: float, kind: str):
        """`response` with the headers of Django's response middleware (in the order MIDDLEWARE
        runs them on a response), counted in the latency metric under its route."""
        for middleware in (self.xframe, self.common, self.locale, self.security):
            response = middleware.process_response(request, response)
        route = self._route(kind, request.path_info)
        REQUEST_SECONDS.labels(request.method, route, response.status_code).observe(
            time.perf_counter() - started
        )
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    def _route(self, kind: str, path: str) -> str:
        """The URL pattern the latency metric is labelled with (ops/middleware.py)."""
        if kind not in self._routes:
            self._routes[kind] = resolve(path).route
        return self._routes[kind]
