"""Forms of rating rounds (the assessor's side; the rater's page reads its radio buttons by name)."""

from django import forms

from commitments.models import Commitment, MaturityLevel

from .models import RaterGroup


class DateInput(forms.DateInput):
    input_type = "date"


class RoundForm(forms.Form):
    closes_on = forms.DateField(
        label="Closing date", widget=DateInput, help_text="The last day raters can rate."
    )
    commitments = forms.ModelMultipleChoiceField(
        queryset=Commitment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: the whole rubric.",
    )

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitments"].queryset = Commitment.objects.filter(rubric=rubric).order_by("order")


class ReopenForm(forms.Form):
    closes_on = forms.DateField(label="New closing date", widget=DateInput)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    name = forms.CharField(label="Name (optional)", required=False, max_length=120)
    group = forms.ModelChoiceField(label="Rater group", queryset=RaterGroup.objects.none(), empty_label=None)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = RaterGroup.objects.filter(organization=organization)


class GroupForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=60)


class ConsensusForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    level = forms.TypedChoiceField(
        label="Official answer", coerce=int, choices=[(level.value, level.label) for level in MaturityLevel]
    )
    note = forms.CharField(label="Consensus note", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
