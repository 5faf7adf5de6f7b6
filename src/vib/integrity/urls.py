from django.urls import path

from vib.integrity import views

app_name = "integrity"
urlpatterns = [
    path("", views.home, name="home"),
    path("melden", views.intake_start, name="intake-start"),
    path("melden/<str:organisation>", views.intake, name="intake"),
    path("ontvangen", views.receipt, name="receipt"),
    path("brievenbus", views.mailbox_login, name="mailbox-login"),
    path("brievenbus/berichten", views.mailbox, name="mailbox"),
    path("brievenbus/bestanden/<str:id>", views.mailbox_file, name="mailbox-file"),
    path("brievenbus/notulen/<str:id>", views.mailbox_sign_off, name="mailbox-sign-off"),
    path("brievenbus/afsluiten", views.mailbox_logout, name="mailbox-logout"),
    path("zaken", views.case_list, name="cases"),
    path("zaken/nieuw", views.record, name="record"),
    path("zaken/<str:id>", views.case_detail, name="case"),
    path("zaken/<str:id>/berichten", views.case_message, name="case-message"),
    path("zaken/<str:id>/berichten/<str:message>/delen", views.case_share, name="case-share"),
    path("zaken/<str:id>/classificatie", views.case_classify, name="case-classify"),
    path("zaken/<str:id>/status", views.case_transition, name="case-transition"),
    path("zaken/<str:id>/doorsturen", views.case_forward, name="case-forward"),
    path("zaken/<str:id>/maatregelen", views.case_measure, name="case-measure"),
    path("zaken/<str:id>/team", views.case_team, name="case-team"),
    path("zaken/<str:id>/identiteit", views.case_reveal, name="case-reveal"),
    path("zaken/<str:id>/bestanden/<str:file>", views.case_file, name="case-file"),
    path("advies", views.advice_list, name="advice"),
    path("advies/<str:id>", views.advice_detail, name="advice-case"),
    path("jaarverslag", views.yearly_report, name="report"),
]
