from django.contrib.auth import views as auth_views
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

auth_urlpatterns = [
    path("inloggen", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("uitloggen", auth_views.LogoutView.as_view(), name="logout"),
]
