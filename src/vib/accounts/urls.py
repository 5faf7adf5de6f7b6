from django.urls import path

from vib.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("tweede-factor", views.second_factor_view, name="second-factor"),
    path("tweede-factor/instellen", views.second_factor_setup, name="second-factor-setup"),
    path("mijn-beveiliging", views.security_view, name="security"),
    path(
        "mijn-beveiliging/<str:kind>/<int:pk>/verwijderen",
        views.factor_remove,
        name="factor-remove",
    ),
    path("inloggen/sso/<str:provider_id>", oidc.OrganisationOIDCRequestView.as_view(), name="sso"),
]

# Outside the namespace: Django's and mozilla-django-oidc's conventions use these names.
auth_urlpatterns = [
    path("inloggen", views.LoginView.as_view(), name="login"),
    path("uitloggen", views.LogoutView.as_view(), name="logout"),
    path("inloggen/sso-terug", oidc.OrganisationOIDCCallbackView.as_view(), name="oidc-callback"),
]
