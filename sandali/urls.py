from django.contrib import admin
from django.urls import include, path

from api.urls import api
from ops.views import metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("metrics", metrics, name="metrics"),
    path("", include("web.urls")),
]
