from django.urls import path

from live.consumers import PerformanceSeatsConsumer

websocket_urlpatterns = [
    path("ws/performances/<int:performance_id>", PerformanceSeatsConsumer.as_asgi()),
]
