"""NAM staff's pages for sign-in: resetting someone's second factors."""

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..permissions import require_nam_staff
from . import mfa


class MfaResetForm(forms.Form):
    username = forms.CharField(label="Username of the person who lost their device", max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        person = get_user_model()._default_manager.filter(username__iexact=username).first()
        if person is None:
            raise forms.ValidationError(f"There is no account with the username {username!r}.")
        self.person = person
        return username


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
