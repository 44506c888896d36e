from django.urls import path

import core.converters  # noqa: F401 - registers <id:...>
from live.consumers import PerformanceSeatsConsumer

websocket_urlpatterns = [
    path("ws/performances/<id:performance_id>", PerformanceSeatsConsumer.as_asgi()),
]
