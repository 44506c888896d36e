"""A draft's seat map is not watched: its socket closes as an unknown performance's does."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from sandali.asgi import application
from tests.factories import make_performance

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def first_message(performance_id: int) -> dict:
    watcher = WebsocketCommunicator(
        application,
        f"/ws/performances/{performance_id}",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")],
    )
    await watcher.connect()
    try:
        return await watcher.receive_output(timeout=5)
    finally:
        await watcher.disconnect()
        await sync_to_async(connections.close_all)()


async def test_a_drafts_socket_closes_as_an_unknown_performances_does():
    draft = await sync_to_async(make_performance)(published=False)
    shown = await sync_to_async(make_performance)()
    assert (await first_message(draft.pk))["type"] == "websocket.close"
    assert (await first_message(shown.pk))["type"] == "websocket.send"
