from django.urls import path

from vib.disclosures import views

app_name = "disclosures"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("melden", views.activity_declare, name="declare"),
    path("geen-nevenfuncties", views.declare_none, name="declare-none"),
    path("bevestigen", views.confirm, name="confirm"),
    path("activiteiten/<str:id>", views.activity_detail, name="activity"),
    path("activiteiten/<str:id>/registreren", views.activity_register, name="activity-register"),
    path("activiteiten/<str:id>/beoordelen", views.activity_assess, name="activity-assess"),
    path("activiteiten/<str:id>/inkomsten", views.activity_income, name="activity-income"),
    path("activiteiten/<str:id>/beeindigen", views.activity_end, name="activity-end"),
    path("activiteiten/<str:id>/intrekken", views.activity_withdraw, name="activity-withdraw"),
    path("geschenken/melden", views.gift_register, name="gift"),
    path("financiele-belangen", views.interest_list, name="interests"),
    path("financiele-belangen/melden", views.interest_declare, name="interest-declare"),
    path("financiele-belangen/<str:id>", views.interest_detail, name="interest"),
    path("registratie", views.registrar, name="registrar"),
    path("registratie/personen/nieuw", views.declarant_add, name="declarant-add"),
    path("registratie/functies/nieuw", views.function_designate, name="function-add"),
    # The public register: no log-in, stable addresses (ADR 0031).
    path("openbaar", views.public_index, name="public-index"),
    path("openbaar/<str:code>", views.public_register, name="public"),
    path("openbaar/<str:code>/nevenfuncties.csv", views.public_csv_activities, name="public-csv"),
    path("openbaar/<str:code>/inkomsten.csv", views.public_csv_income, name="public-income-csv"),
    path("openbaar/<str:code>/register.json", views.public_json, name="public-json"),
]
