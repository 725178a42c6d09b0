"""The reminder settings on each person's profile: time zone and which kinds they receive."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .models import TIME_ZONE_CHOICES, ReminderKind, ReminderPreference


class ReminderPreferenceForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=[("", "The portal's time zone"), *TIME_ZONE_CHOICES],
        required=False,
        help_text="Reminders are sent in the morning of this time zone.",
    )

    class Meta:
        model = ReminderPreference
        fields = ["time_zone", *ReminderKind.values]

    def __init__(self, *args, show_review: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_review:
            del self.fields[ReminderKind.REVIEW]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save reminder settings"))
