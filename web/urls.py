from django.urls import include, path

import core.converters  # noqa: F401 - registers <id:...>
from web import (
    best_available,
    checkin,
    lost_tickets,
    payment_pages,
    selection,
    ticket_links,
    views,
    waiting_list,
    waiting_room,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("performances/<id:performance_id>/", views.performance_page, name="performance"),
    path("performances/<id:performance_id>/queue/", waiting_room.queue_page, name="queue"),
    path(
        "performances/<id:performance_id>/queue/status",
        waiting_room.queue_status,
        name="queue-status",
    ),
    path("performances/<id:performance_id>/selection", selection.selection, name="selection"),
    path(
        "performances/<id:performance_id>/selection/seats/<id:seat_id>",
        selection.selection_seat,
        name="selection-seat",
    ),
    path(
        "performances/<id:performance_id>/selection/areas/<id:area_id>",
        selection.selection_area,
        name="selection-area",
    ),
    path(
        "performances/<id:performance_id>/selection/best",
        best_available.selection_best,
        name="selection-best",
    ),
    path(
        "performances/<id:performance_id>/waiting-list",
        waiting_list.join,
        name="waiting-list-join",
    ),
    path("waiting-list/offer", waiting_list.offer, name="waiting-list-offer"),
    path("performances/<id:performance_id>/checkout", views.checkout, name="checkout"),
    path(
        "performances/<id:performance_id>/checkout/extend",
        views.extend_checkout,
        name="checkout-extend",
    ),
    path(
        "performances/<id:performance_id>/checkout/return",
        payment_pages.checkout_return,
        name="checkout-return",
    ),
    path("payments/webhook", payment_pages.payment_webhook, name="payment-webhook"),
    path("pay/test/<str:reference>/", payment_pages.test_gateway_page, name="test-gateway"),
    path("orders/<id:order_id>/", views.order_page, name="order"),
    path("orders/open", ticket_links.open_ticket_link, name="ticket-link"),
    path("orders/lost", lost_tickets.lost_tickets, name="lost-tickets"),
    path("orders/<id:order_id>/tickets.pdf", views.order_tickets_pdf, name="order-tickets-pdf"),
    path("checkin/", checkin.checkin_page, name="checkin"),
    path("checkin/sw.js", checkin.checkin_service_worker, name="checkin-sw"),
]
