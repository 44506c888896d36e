from django.conf import settings

from api.problems import request_too_large


class ApiBodySizeLimit:
    """Refuse an API request whose declared body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE with a
    problem+json 413, before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.path.startswith("/api/") and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return request_too_large(limit)
        return self.get_response(request)
