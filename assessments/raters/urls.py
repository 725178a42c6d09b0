from django.urls import path

from . import rater_views, views

app_name = "raters"

urlpatterns = [
    # --- the assessor's side (views.py) ---
    path("orgs/<slug:slug>/assessments/<slug:cycle_slug>/rating-rounds/", views.rounds, name="rounds"),
    path("orgs/<slug:slug>/rating-rounds/<int:pk>/", views.round_detail, name="round"),
    path("orgs/<slug:slug>/rating-rounds/<int:pk>/raters/", views.rater_invite, name="invite"),
    path("orgs/<slug:slug>/rating-rounds/<int:pk>/remind/", views.round_remind, name="remind"),
    path("orgs/<slug:slug>/rating-rounds/<int:pk>/close/", views.round_close, name="close"),
    path("orgs/<slug:slug>/rating-rounds/<int:pk>/reopen/", views.round_reopen, name="reopen"),
    path("orgs/<slug:slug>/rating-rounds/<int:pk>/consensus/", views.consensus, name="consensus"),
    path("orgs/<slug:slug>/rater-groups/", views.rater_groups, name="groups"),
    # --- the rater's side (rater_views.py): everything under /rate/ (RaterSessionMiddleware) ---
    path("rate/", rater_views.rate, name="rate"),
    path("rate/leave/", rater_views.leave, name="leave"),
    path("rate/link/<str:token>/", rater_views.link, name="link"),
]
