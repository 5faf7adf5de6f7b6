from django.urls import path

from vib.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("processen/nieuw", views.process_create, name="process-create"),
    path("processen/<str:id>", views.process_detail, name="process"),
    path("checklist/<int:year>", views.checklist_view, name="checklist"),
]
