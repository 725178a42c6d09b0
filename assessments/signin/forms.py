"""allauth's forms, with the portal's rules."""

import os

from allauth.account.forms import LoginForm
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import DeactivateTOTPForm as AllauthDeactivateTOTPForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from ..audit import current_request
from ..models import SingleSignOn
from . import saml, sso

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
        for field in ("login", "password"):  # the page as it was: labels, no placeholders
            self.fields[field].widget.attrs.pop("placeholder", None)

    def clean(self):
        cleaned_data = super().clean()
        # Only once the password is known to be right: the refusal names the person's organization.
        organization = sso.sso_required_organization(self.user) if self.user is not None else None
        if organization is not None:
            raise ValidationError(
                f"{organization.name} signs its people in through its own sign-in: use "
                '"Sign in with your organization" below, with your work e-mail address.'
            )
        return cleaned_data


class SsoStartForm(forms.Form):
    email = forms.EmailField(
        label="Your work e-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        self.provider = sso.provider_for_email(email)
        if self.provider is None:
            raise ValidationError(
                f"No organization signs in people of {sso.email_domain(email)} through its own sign-in: "
                "use your username and password."
            )
        return email


class SingleSignOnForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted. Leave blank to keep the stored one, or name an environment variable "
        "below.",
    )

    class Meta:
        model = SingleSignOn
        fields = [
            "protocol",
            "issuer",
            "client_id",
            "client_secret_env",
            "saml_metadata_url",
            "saml_metadata",
            "email_domains",
            "required",
            "is_active",
        ]
        widgets = {"saml_metadata": forms.Textarea(attrs={"rows": 4})}

    @staticmethod
    def _https(url: str, what: str) -> str:
        local = url.startswith(("http://127.0.0.1", "http://localhost"))
        if url and not url.startswith("https://") and not (local and settings.DEBUG):
            raise ValidationError(f"The {what} must be an https:// address.")
        return url

    def clean_issuer(self):
        return self._https(self.cleaned_data["issuer"].rstrip("/"), "issuer")

    def clean_saml_metadata_url(self):
        return self._https(self.cleaned_data["saml_metadata_url"].strip(), "metadata URL")

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("protocol") == SingleSignOn.Protocol.SAML:
            if self.has_error("saml_metadata_url"):
                return cleaned_data
            url, xml = cleaned_data.get("saml_metadata_url"), cleaned_data.get("saml_metadata", "").strip()
            if url:
                xml = saml.fetch_metadata(url)  # kept too: the sign-in page needs the IdP's address
            if not xml:
                raise ValidationError("Give the identity provider's metadata URL or its metadata XML.")
            saml.idp_from_metadata(xml)
            cleaned_data["saml_metadata"] = xml
        elif cleaned_data.get("protocol") == SingleSignOn.Protocol.OIDC:
            for field in ("issuer", "client_id"):
                if not cleaned_data.get(field) and not self.has_error(field):
                    self.add_error(field, "Needed for OpenID Connect.")
        return cleaned_data

    def clean_client_secret_env(self):
        name = self.cleaned_data["client_secret_env"].strip()
        if name and name not in os.environ:
            raise ValidationError(f"The environment variable {name} is not set on this server.")
        return name

    def clean_email_domains(self):
        domains = sorted(
            {d.strip().lower().lstrip("@") for d in self.cleaned_data["email_domains"].split(",")} - {""}
        )
        if not domains:
            raise ValidationError("Name at least one e-mail domain, such as alpha-health.org.")
        bad = [d for d in domains if "." not in d or "@" in d or " " in d]
        if bad:
            raise ValidationError(f"Not an e-mail domain: {', '.join(bad)}.")
        others = SingleSignOn.objects.exclude(organization=self.instance.organization_id).select_related(
            "organization"
        )
        taken = [(d, o.organization.name) for o in others for d in domains if d in o.domains]
        taken += [(d, "NAM") for d in domains if d in {x.lower() for x in settings.NAM_OIDC_DOMAINS}]
        if taken:
            raise ValidationError(
                "; ".join(f"{d} is already served by {name}'s sign-in" for d, name in taken) + "."
            )
        return ", ".join(domains)


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
