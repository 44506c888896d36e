from django.contrib import admin
from django.urls import include, path

from api.urls import api
from ops.views import metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("metrics", metrics, name="metrics"),
    path("designer/", include("ops.urls")),
    path("", include("web.urls")),
]

# Django's own 400 (a Host it does not serve) answers the API in problem+json too.
handler400 = "api.problems.bad_request"
