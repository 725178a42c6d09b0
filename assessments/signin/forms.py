"""allauth's forms, with the portal's rules."""

from allauth.account.forms import LoginForm
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import DeactivateTOTPForm as AllauthDeactivateTOTPForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.core.exceptions import ValidationError

from ..audit import current_request

LOCKED_OUT = (
    "For your security, sign-in for this account is paused after repeated failures. Try again later, or ask "
    "NAM staff to unlock it now."
)


class PortalLoginForm(LoginForm):
    """allauth's sign-in form under Django's field names (username, password), so that the page, its links,
    password managers and anything that posts to it keep working."""

    def add_prefix(self, field_name):
        return super().add_prefix("username" if field_name == "login" else field_name)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""  # the page has its own "Forgot your password?" link


class PortalAuthenticateForm(AuthenticateForm):
    """The second step of sign-in. A wrong code is a failed sign-in for django-axes
    (assessments.signin.receivers), so a locked-out account cannot go on guessing codes either."""

    def clean_code(self):
        request = current_request()
        if request is not None and AxesProxyHandler.is_locked(
            request, credentials={"username": self.user.get_username()}
        ):
            raise ValidationError(LOCKED_OUT)
        return super().clean_code()


class DeactivateTOTPForm(AllauthDeactivateTOTPForm):
    """Removing the authenticator app takes a code from it (or a recovery code), not just the password:
    whoever holds a signed-in session must not be able to strip the account of its second factor."""

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self):
        check = ReauthenticateForm({"code": self.cleaned_data["code"]}, user=self.authenticator.user)
        if not check.is_valid():
            raise ValidationError(check.errors["code"])
        return self.cleaned_data["code"]
