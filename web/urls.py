from django.urls import include, path

from web import selection, views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("performances/<int:performance_id>/", views.performance_page, name="performance"),
    path("performances/<int:performance_id>/selection", selection.selection, name="selection"),
    path(
        "performances/<int:performance_id>/selection/seats/<int:seat_id>",
        selection.selection_seat,
        name="selection-seat",
    ),
    path("performances/<int:performance_id>/checkout", views.checkout, name="checkout"),
    path("orders/<int:order_id>/", views.order_page, name="order"),
]
