"""Forms of the improvement plan. Choices are limited to the organization and the cycle's rubric, so that a
forged id of another organization fails as "not one of the available choices" before any service runs."""

import datetime
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.models import AssessmentCycle, Organization
from commitments.models import Commitment, Indicator

from .models import ImprovementAction

User = get_user_model()


def member_choices(organization: Organization):
    """The people who can own an action: members of the organization, by name."""
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class IndicatorCheckboxes(forms.CheckboxSelectMultiple):
    """Each box says which commitment its indicator belongs to, so the page can show only the chosen
    commitment's indicators (static/js/plans.js); without JavaScript every box shows."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-commitment"] = str(instance.commitment_id)
        return option


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class TargetForm(forms.Form):
    commitment = forms.ModelChoiceField(queryset=Commitment.objects.none(), widget=forms.HiddenInput)
    target_level = forms.DecimalField(
        label="Target level",
        required=False,
        min_value=Decimal("1"),
        max_value=Decimal("5"),
        max_digits=3,
        decimal_places=2,
        help_text="From 1.00 (Initial) to 5.00 (Learning). Leave empty to remove the target.",
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "1", "max": "5"}),
    )

    def __init__(self, *args, cycle: AssessmentCycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.filter(rubric_id=cycle.rubric_id)
        self.fields["commitment"].error_messages["invalid_choice"] = (
            "That commitment is not part of this cycle's rubric."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False


class ActionForm(forms.Form):
    commitment = forms.ModelChoiceField(queryset=Commitment.objects.none(), empty_label=None)
    title = forms.CharField(
        max_length=ImprovementAction._meta.get_field("title").max_length,
        help_text="What will be done, in a few words: “Seat two patient partners on the quality committee”.",
    )
    description = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How you will do it and how you will know it worked (4,000 characters at most).",
    )
    indicators = IndicatorChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        widget=IndicatorCheckboxes,
        help_text="The indicators of the commitment this action should move.",
    )
    owner = OwnerChoiceField(
        queryset=User.objects.none(), required=False, empty_label="No owner yet", label="Owner"
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=ImprovementAction.Status.choices)

    def __init__(self, *args, organization: Organization, cycle: AssessmentCycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.filter(rubric_id=cycle.rubric_id)
        self.fields["indicators"].queryset = Indicator.objects.of_rubric(cycle.rubric_id).select_related(
            "commitment"
        )
        self.fields["owner"].queryset = member_choices(organization)
        self.fields["owner"].error_messages["invalid_choice"] = (
            f"Choose an owner among the members of {organization.name}."
        )
        self.fields["indicators"].error_messages["invalid_choice"] = (
            "Choose indicators of this cycle's rubric only."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due and due.year < 2000:
            raise forms.ValidationError("Give a due date from the year 2000 on.")
        return due

    def clean(self):
        cleaned = super().clean()
        commitment = cleaned.get("commitment")
        indicators = cleaned.get("indicators") or []
        if commitment is not None:
            wrong = [i.code for i in indicators if i.commitment_id != commitment.pk]
            if wrong:
                self.add_error(
                    "indicators",
                    f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not part of "
                    f"{commitment.name}: choose that commitment's indicators only.",
                )
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ImprovementAction.Status.choices)
    comment = forms.CharField(
        required=False,
        max_length=1900,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: why the status changed.",
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Progress note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened since the last meeting, what is blocking it (2,000 characters at most).",
    )
    noted_on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today if empty.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_noted_on(self):
        noted_on = self.cleaned_data.get("noted_on")
        if noted_on and noted_on > timezone.localdate():
            raise forms.ValidationError("A progress note cannot be dated in the future.")
        if noted_on and noted_on < datetime.date(2000, 1, 1):
            raise forms.ValidationError("Give a date from the year 2000 on.")
        return noted_on


class PlanFilterForm(forms.Form):
    """The GET filters of the plan page; an unknown value is ignored rather than an error."""

    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(required=False)

    NO_OWNER = 0

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        owners = [(u.pk, u.get_full_name() or u.get_username()) for u in member_choices(organization)]
        self.fields["owner"].choices = [("", "Everyone"), (self.NO_OWNER, "No owner yet"), *owners]
        self.fields["status"].choices = [
            ("", "Any status"),
            ("open", "Open (planned or in progress)"),
            ("overdue", "Overdue"),
            ("due_soon", "Due in the next 30 days"),
            *ImprovementAction.Status.choices,
        ]
