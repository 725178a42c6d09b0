from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from assessments.signin.views import login
from assessments.views.core import home

from . import views

# The admin signs in through the portal's sign-in (second factor, lockout), not a password form of its own.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # allauth's sign-in (a second factor, single sign-on) at Django's address; Django's views keep sign-out
    # and the password pages; allauth's own pages (2fa/, oidc/, reauthenticate/) come after them.
    path("accounts/login/", login, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("assessments.signin.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("commitments/", include("commitments.urls")),
    path("", include("assessments.terms.urls")),
    path("", include("reports.archive.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("", include("reports.urls")),
    path("", include("assessments.urls")),
    path("", include("assessments.raters.urls")),
]
