"""What the lean paths in front of Django share (api/queue_lean.py, api/map_lean.py): a WSGI
middleware that answers a few of the busiest requests itself, with the response headers of
the same middleware instances Django would run (X-Frame-Options, Content-Length, the
language's Content-Language and Vary, the security headers) and the same latency metric, and
hands anything unusual to Django untouched: an Origin header (the API's origin gate decides),
a host Django refuses, a redirect the security or common middleware would make."""

import time

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import resolve

from core.metrics import REQUEST_SECONDS


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
