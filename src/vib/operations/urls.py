from django.urls import path

from vib.operations import views

app_name = "operations"
urlpatterns = [
    path("", views.overview, name="access"),
    path("rollen.csv", views.role_holders_export, name="export"),
    path("beoordelingen/nieuw", views.review_start, name="review-start"),
    path("beoordelingen/<str:id>", views.review_detail, name="review"),
    path("toekenningen/<str:id>", views.grant_decide, name="grant-decide"),
]
