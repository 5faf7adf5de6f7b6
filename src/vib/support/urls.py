"""``/steunpunt/``: the support desk. Paths are Dutch, like the rest of the interface."""

from django.urls import path

from vib.support import views

app_name = "support"
urlpatterns = [
    path("", views.start, name="start"),
    path("hulp-vragen", views.ask, name="ask"),
    path("hulp-vragen/ontvangen", views.submitted, name="submitted"),
    path("mijn-verzoeken", views.mine, name="mine"),
    path("mijn-verzoeken/<str:id>", views.own_detail, name="own"),
    path("mijn-verzoeken/<str:id>/bericht", views.own_message, name="own-message"),
    path("mijn-verzoeken/<str:id>/beoordeling", views.own_rating, name="own-rating"),
    path("mijn-verzoeken/<str:id>/thuisbeveiliging", views.own_home_security, name="own-home"),
    path("toestemming/<str:id>", views.referral_decide, name="consent"),
    path("team", views.team, name="team"),
    path("team/aanmeldingen/<str:id>/oppakken", views.take_on, name="take-on"),
    path("team/aanmeldingen/<str:id>/toewijzen", views.assign, name="assign"),
    path("team/zaken/<str:id>", views.case_detail, name="case"),
    path("team/zaken/<str:id>/bericht", views.case_message, name="case-message"),
    path("team/zaken/<str:id>/expert", views.case_expert, name="case-expert"),
    path("team/zaken/<str:id>/actie", views.case_action, name="case-action"),
    path("team/zaken/<str:id>/verwijzing", views.case_referral, name="case-referral"),
    path("team/zaken/<str:id>/afsluiten", views.case_close, name="case-close"),
    path("team/zaken/<str:id>/heropenen", views.case_reopen, name="case-reopen"),
    path("team/zaken/<str:id>/scan", views.case_scan, name="case-scan"),
    path("team/zaken/<str:id>/maatregel", views.case_measure, name="case-measure"),
    path("team/acties/<str:id>/gereed", views.action_done, name="action-done"),
    path("team/verwijzingen/<str:id>/aanmaken", views.referral_link, name="referral-link"),
    path("team/maatregelen/<str:id>/betaling", views.measure_payment, name="measure-payment"),
    path("bibliotheek", views.library, name="library"),
    path("bibliotheek/nieuw", views.instrument_edit, name="instrument-new"),
    path("bibliotheek/<str:id>", views.instrument_detail, name="instrument"),
    path("bibliotheek/<str:id>/bewerken", views.instrument_edit, name="instrument-edit"),
    path("statistieken", views.statistics, name="statistics"),
]
