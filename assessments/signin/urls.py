from django.urls import path

from . import oidc, views

app_name = "signin"

urlpatterns = [
    # allauth pages the portal does not offer: e-mail addresses come from invitations, and a provider account
    # is linked by single sign-on's own rules (adapters.SocialAccountAdapter), never by hand.
    path("accounts/email/", views.not_offered),
    path("accounts/3rdparty/", views.not_offered),
    path("accounts/sso/", views.sso_start, name="sso_start"),
    # Before allauth's own at its address (allauth's name, reversed for the redirect URI, stays there):
    # the ID token is verified (oidc.py).
    path("accounts/oidc/<str:provider_id>/login/callback/", oidc.callback),
    path("nam/second-factors/", views.nam_mfa_reset, name="nam_mfa_reset"),
    path("nam/single-sign-on/", views.nam_sso_list, name="nam_sso_list"),
    path("nam/single-sign-on/<slug:slug>/", views.nam_sso_edit, name="nam_sso_edit"),
    path("orgs/<slug:slug>/single-sign-on/", views.org_sso_edit, name="org_sso_edit"),
]
