"""Sign-in pages of the portal's own: single sign-on by e-mail domain, and NAM staff's pages for second
factors and organizations' single sign-on."""

from functools import wraps

from allauth.account.views import LoginView
from allauth.mfa.models import Authenticator
from csp.decorators import csp_update
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..models import Organization
from ..permissions import Action, deny, is_nam_staff, organization_for, require_nam_staff
from . import mfa, sso
from .forms import SingleSignOnForm, SsoStartForm


class MfaResetForm(forms.Form):
    username = forms.CharField(label="Username of the person who lost their device", max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        person = get_user_model()._default_manager.filter(username__iexact=username).first()
        if person is None:
            raise forms.ValidationError(f"There is no account with the username {username!r}.")
        self.person = person
        return username


def not_offered(request):
    raise Http404("Not offered in the portal.")


@login_required
@require_http_methods(["GET", "POST"])
def nam_mfa_reset(request):
    require_nam_staff(request)
    form = MfaResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        removed = mfa.mfa_reset(person=form.person, user=request.user, request=request)
        if removed:
            messages.success(
                request,
                f"The second factors of {form.person.get_username()} were removed: they set up a new one "
                "at their next sign-in.",
            )
        else:
            messages.info(request, f"{form.person.get_username()} had no second factor to reset.")
        return redirect("signin:nam_mfa_reset")
    enrolled = (
        Authenticator.objects.filter(type__in=mfa.SECOND_FACTOR_TYPES)
        .values("user__username")
        .annotate(factors=Count("pk"), last_used=Max("last_used_at"))
        .order_by("user__username")
    )
    return render(
        request,
        "signin/nam_mfa_reset.html",
        {"form": form, "enrolled": enrolled},
        status=400 if form.errors else 200,
    )


def sso_form_action(view):
    """The page's CSP lets its forms lead on to the configured providers (see sso.provider_origins)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        origins = sso.provider_origins()
        if not origins:
            return view(request, *args, **kwargs)
        return csp_update({"form-action": origins})(view)(request, *args, **kwargs)

    return wrapped


class PortalLoginView(LoginView):
    """allauth's sign-in (password, then a second factor), whose page also offers single sign-on when an
    organization has it."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_available": bool(sso.providers())}


login = sso_form_action(PortalLoginView.as_view())


@require_POST
@sso_form_action
def sso_start(request):
    """Send the person to the provider that serves their e-mail domain."""
    form = SsoStartForm(request.POST)
    if not form.is_valid():
        return render(request, "signin/sso_start.html", {"form": form}, status=400)
    # 307 keeps the POST (with its CSRF token and "next"): allauth starts the sign-in only on a POST.
    response = redirect(form.provider.login_url(request))
    response.status_code = 307
    return response


@login_required
def nam_sso_list(request):
    require_nam_staff(request)
    organizations = Organization.objects.active().select_related("single_sign_on").order_by("name")
    return render(request, "signin/nam_sso_list.html", {"organizations": organizations})


@login_required
@require_http_methods(["GET", "POST"])
def nam_sso_edit(request, slug):
    require_nam_staff(request)
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    return _sso_edit(request, organization, may_set_domains=True, done="signin:nam_sso_list")


@login_required
@require_http_methods(["GET", "POST"])
def org_sso_edit(request, slug):
    """An organization admin keeps their provider's details, if NAM allows (SSO_ORG_ADMINS_MAY_CONFIGURE); the
    e-mail domains stay NAM staff's: a domain decides whose existing accounts a provider may sign in."""
    organization = organization_for(request, slug, Action.MANAGE_MEMBERS)
    nam = is_nam_staff(request.user)
    if not nam and not settings.SSO_ORG_ADMINS_MAY_CONFIGURE:
        deny(request, organization, "single sign-on is set by NAM staff")
    return _sso_edit(request, organization, may_set_domains=nam, done="assessments:members", slug=slug)


def _sso_edit(request, organization, *, may_set_domains: bool, done: str, **done_kwargs):
    instance = getattr(organization, "single_sign_on", None)
    if instance is None and not may_set_domains:
        return render(request, "signin/sso_edit.html", {"organization": organization, "form": None})
    form = SingleSignOnForm(request.POST or None, instance=instance)
    if form.instance.pk is None:
        form.instance.organization = organization
    if not may_set_domains:
        form.fields["email_domains"].disabled = True  # the bound value is ignored: the stored one stays
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in SingleSignOnForm.Meta.fields}
        try:
            sso.sso_configure(
                organization=organization,
                values=values,
                secret=form.cleaned_data["client_secret"],
                user=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("client_secret", error)
        else:
            messages.success(request, f"Single sign-on of {organization.name} saved.")
            return redirect(done, **done_kwargs)
    # What the organization registers at its provider: the portal's addresses under this provider's id.
    addresses = {}
    if instance:
        at = {"organization_slug": instance.provider_id}
        addresses = {
            "callback_url": request.build_absolute_uri(
                reverse("openid_connect_callback", kwargs={"provider_id": instance.provider_id})
            ),
            "saml_acs_url": request.build_absolute_uri(reverse("saml_acs", kwargs=at)),
            "saml_entity_id": request.build_absolute_uri(reverse("saml_metadata", kwargs=at)),
        }
    return render(
        request,
        "signin/sso_edit.html",
        {"organization": organization, "form": form, **addresses},
        status=400 if form.errors else 200,
    )
