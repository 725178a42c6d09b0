"""A second factor before anything else, for those who must have one (assessments.signin.mfa.mfa_required)."""

from django.contrib import messages
from django.shortcuts import redirect

from .mfa import has_second_factor, mfa_required
from .sso import SSO_SESSION_KEY

# What someone without their required second factor may still reach: the set-up pages (and the password or
# code check that allauth asks before them), sign-out, and the health probe.
ALLOWED_BEFORE_ENROLMENT = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "logout",
        "account_logout",
        "healthz",
    }
)


class MfaEnrolmentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.url_name in ALLOWED_BEFORE_ENROLMENT:
            return None
        if not mfa_required(user) or has_second_factor(user) or request.session.get(SSO_SESSION_KEY):
            # Signed in by their organization's (or NAM's) provider: its own second-factor policy applies.
            return None
        messages.warning(
            request,
            "Your role in the portal needs a second factor at sign-in. "
            "Set up an authenticator app to continue.",
        )
        return redirect("mfa_index")
