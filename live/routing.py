from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>
from core.publish import PERFORMANCE_SOCKET_PREFIX
from live.consumers import PerformanceSeatsConsumer

websocket_urlpatterns = [
    path(f"{PERFORMANCE_SOCKET_PREFIX}<id:performance_id>", PerformanceSeatsConsumer.as_asgi()),
]
