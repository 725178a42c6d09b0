"""The form that creates an API token on the API tokens page."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils import timezone

from assessments.permissions import is_nam_staff, user_memberships

NAM_WIDE = "nam"


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="What the token is for, such as “R quality dashboard”."
    )
    scope = forms.ChoiceField(label="Scope", help_text="The data the token can read.")
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"At most {settings.API_TOKEN_MAX_DAYS} days from today.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.memberships = {m.organization.slug: m.organization for m in user_memberships(user)}
        choices = [(slug, org.name) for slug, org in self.memberships.items()]
        if is_nam_staff(user):
            choices.insert(0, (NAM_WIDE, "NAM-wide: every organization and the NAM exports"))
        self.fields["scope"].choices = choices
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=90)
        self.fields["expires_on"].help_text = f"At most {settings.API_TOKEN_MAX_DAYS} days from today."
        self.helper = FormHelper()
        self.helper.add_input(Submit("create", "Create token"))

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("Choose a date after today.")
        latest = today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
        if value > latest:
            raise forms.ValidationError(f"Choose a date no later than {latest:%Y-%m-%d}.")
        return value

    def scope_values(self) -> dict:
        """organization and nam_wide for services.api_token_create."""
        scope = self.cleaned_data["scope"]
        if scope == NAM_WIDE:
            return {"organization": None, "nam_wide": True}
        return {"organization": self.memberships[scope], "nam_wide": False}

    def expires_at(self) -> datetime.datetime:
        """The end of the chosen day, in the portal's time zone."""
        end = datetime.datetime.combine(self.cleaned_data["expires_on"], datetime.time.max)
        return timezone.make_aware(end)
