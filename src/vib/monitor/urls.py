from django.urls import path

from vib.monitor import views

app_name = "monitor"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("maken", views.run_start, name="run-start"),
    path("runs/<uuid:id>", views.run_detail, name="run"),
    path("runs/<uuid:id>/<str:kind>", views.run_download, name="run-download"),
]
