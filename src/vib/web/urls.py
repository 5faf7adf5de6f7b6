from django.urls import path

from vib.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("organisatie/wisselen", views.switch_organisation, name="switch-organisation"),
    path("organisaties", views.organisations, name="organisations"),
    path("organisatie/eenheden", views.units, name="units"),
    path("organisatie/eenheden/<str:id>", views.unit_detail, name="unit"),
    path("organisatie/leden", views.members, name="members"),
    path("organisatie/leden/<str:id>", views.member_detail, name="member"),
]
