"""Static files under ASGI (the local run command's uvicorn), ahead of Django.

WhiteNoise 6 is synchronous only (its ASGI support is an unmerged pull request,
evansd/whitenoise#359). Under ASGI Django therefore ran its middleware in a thread and then had
to read each file whole through sync_to_async, warning "StreamingHttpResponse must consume
synchronous iterators". This wrapper uses WhiteNoise's own file table and headers (hashed
names, compressed variants, ETag and 304, ranges) and streams the file in chunks read in a
thread. Under WSGI (granian or gunicorn, production) WhiteNoise's middleware serves static
files as before.
"""

import asyncio

from whitenoise.middleware import WhiteNoiseMiddleware

CHUNK_BYTES = 64 * 1024


class ASGIStaticFiles:
    def __init__(self, application):
        self.application = application
        self.whitenoise = WhiteNoiseMiddleware(get_response=None)

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.whitenoise.static_prefix):
            return await self.application(scope, receive, send)
        static_file = await asyncio.to_thread(self._find, path)
        if static_file is None:
            return await self.application(scope, receive, send)
        response = await asyncio.to_thread(
            static_file.get_response, scope["method"], _request_headers(scope)
        )
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                   for name, value in response.headers]  # fmt: skip
        headers.append((b"x-content-type-options", b"nosniff"))
        await send({"type": "http.response.start", "status": int(response.status),
                    "headers": headers})  # fmt: skip
        file = response.file
        try:
            while file is not None and (chunk := await asyncio.to_thread(file.read, CHUNK_BYTES)):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        finally:
            if file is not None:
                file.close()
        await send({"type": "http.response.body", "body": b""})

    def _find(self, path: str):
        if self.whitenoise.autorefresh:  # development: look on disk, files change
            return self.whitenoise.find_file(path)
        return self.whitenoise.files.get(path)


def _request_headers(scope) -> dict[str, str]:
    """The request headers as WhiteNoise reads them, WSGI style (HTTP_IF_NONE_MATCH)."""
    return {
        "HTTP_" + name.decode("latin-1").upper().replace("-", "_"): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }
