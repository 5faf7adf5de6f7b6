from django.urls import path

from vib.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.index, name="index"),
    path("melden", views.report, name="report"),
    path("overzicht", views.incident_list, name="list"),
    path("export", views.export, name="export"),
    path("dashboard", views.dashboard, name="dashboard"),
    path("vergelijking", views.benchmark, name="benchmark"),
    path("sector", views.sector, name="sector"),
    path("daderregister", views.register, name="register"),
    path("bewijs/<uuid:id>", views.evidence_download, name="evidence"),
    path("<uuid:id>", views.detail, name="detail"),
    path("<uuid:id>/gemeld", views.reported, name="reported"),
    path("<uuid:id>/gegevens", views.facts, name="facts"),
    path("<uuid:id>/status", views.transition, name="transition"),
    path("<uuid:id>/slachtoffers/nieuw", views.victim_add, name="victim-add"),
    path("<uuid:id>/slachtoffers/<uuid:child>", views.victim_edit, name="victim-edit"),
    path("<uuid:id>/getuigen/nieuw", views.witness_add, name="witness-add"),
    path("<uuid:id>/daders/nieuw", views.perpetrator_add, name="perpetrator-add"),
    path("<uuid:id>/daders/koppelen", views.perpetrator_link, name="perpetrator-link"),
    path("<uuid:id>/maatregelen/nieuw", views.measure_add, name="measure-add"),
    path("<uuid:id>/politie/nieuw", views.police_add, name="police-add"),
    path("<uuid:id>/politie/<uuid:child>", views.police_edit, name="police-edit"),
    path("<uuid:id>/nazorg/nieuw", views.aftercare_plan, name="aftercare-plan"),
    path("<uuid:id>/nazorg/<uuid:child>", views.aftercare_record, name="aftercare-record"),
    path(
        "<uuid:id>/nazorg/<uuid:child>/annuleren",
        views.aftercare_cancel,
        name="aftercare-cancel",
    ),
    path("<uuid:id>/bewijs/nieuw", views.evidence_add, name="evidence-add"),
    path("<uuid:id>/<str:kind>/<uuid:child>/verwijderen", views.remove, name="remove"),
]
