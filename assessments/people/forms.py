"""Forms for people, invitations, organizations and the audit log."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation

from ..models import AuditEvent, Organization, Role

ROLE_HELP = {
    Role.ORG_ADMIN: "invites colleagues and manages roles, and can do everything an assessor does",
    Role.ASSESSOR: "fills in the assessment with evidence and edits the improvement plan",
    Role.EXECUTIVE: "reads results and downloads scorecards",
}


def role_choices_with_help():
    return [(value, f"{label}: {ROLE_HELP[value]}") for value, label in Role.choices]


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=role_choices_with_help, widget=forms.RadioSelect, initial=Role.ASSESSOR)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class OrganizationForm(forms.ModelForm):
    admin_email = forms.EmailField(
        label="E-mail of its first organization admin",
        max_length=254,
        help_text="We send them an invitation; they then invite their colleagues.",
    )

    class Meta:
        model = Organization
        fields = ["name", "org_type", "size_band", "state", "ownership", "is_teaching"]
        help_texts = {"name": "As the organization calls itself, e.g. Riverside Community Hospital."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "name",
            Row(Column("org_type", css_class="col-md-6"), Column("size_band", css_class="col-md-6")),
            Row(Column("state", css_class="col-md-6"), Column("ownership", css_class="col-md-6")),
            "is_teaching",
            "admin_email",
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Organization.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("An organization with this name already exists.")
        return name


class NewAccountForm(forms.Form):
    """The account of an invited person: the e-mail comes from the invitation, not from this form."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("first_name", css_class="col-md-6"), Column("last_name", css_class="col-md-6")),
            "password1",
            "password2",
        )

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            user = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any event"), *AuditEvent.Kind.choices], required=False)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.only("pk", "name"), required=False, empty_label="Any organization"
    )
    actor = forms.CharField(label="Person (username)", max_length=150, required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("kind", css_class="col-md-6 col-lg-3"),
                Column("organization", css_class="col-md-6 col-lg-3"),
                Column("actor", css_class="col-md-4 col-lg-2"),
                Column("date_from", css_class="col-md-4 col-lg-2"),
                Column("date_to", css_class="col-md-4 col-lg-2"),
            ),
            Submit("", "Filter", css_class="btn btn-primary"),
            HTML('<a class="btn btn-link" href="?">Clear filters</a>'),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


class UnlockForm(forms.Form):
    username = forms.CharField(max_length=255)
