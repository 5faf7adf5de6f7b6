from django.urls import path

from vib.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.wave_list, name="waves"),
    path("nieuw", views.wave_create, name="wave-create"),
    path("golven/<uuid:id>", views.wave_detail, name="wave"),
    path("golven/<uuid:id>/voortgang", views.wave_progress_partial, name="wave-progress"),
    path("golven/<uuid:id>/kader", views.wave_frame_platform, name="wave-frame"),
    path("golven/<uuid:id>/kader/import", views.wave_frame_import, name="wave-frame-import"),
    path("golven/<uuid:id>/uitnodigen", views.wave_invite, name="wave-invite"),
    path("golven/<uuid:id>/herinneren", views.wave_remind, name="wave-remind"),
    path("golven/<uuid:id>/sluiten", views.wave_close, name="wave-close"),
    path("antwoorden/<str:token>", views.answer, name="answer"),
    path("bedankt", views.thanks, name="thanks"),
]
