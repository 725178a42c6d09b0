"""The legal-requirements page: one answer (yes / no / in progress) and a note per requirement."""

from django import forms

from ..models import ComplianceStatus

NOTE_MAX = 1000


class ComplianceForm(forms.Form):
    def __init__(self, *args, rows, disabled: bool = False, **kwargs):
        initial = {}
        for row in rows:
            if row.answer is not None:
                initial[f"status-{row.item.pk}"] = row.answer.status
                initial[f"note-{row.item.pk}"] = row.answer.note
        super().__init__(*args, initial=initial, **kwargs)
        self.rows = rows
        for row in rows:
            pk = row.item.pk
            self.fields[f"status-{pk}"] = forms.ChoiceField(
                label=f"{row.item.code}: is this in place?",
                choices=[("", "Not answered"), *ComplianceStatus.choices],
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                disabled=disabled,
                error_messages={"invalid_choice": "Choose Yes, No or In progress."},
            )
            self.fields[f"note-{pk}"] = forms.CharField(
                label=f"{row.item.code}: note (optional)",
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                disabled=disabled,
            )

    def items(self):
        """(row, status field, note field) for the template."""
        return [(row, self[f"status-{row.item.pk}"], self[f"note-{row.item.pk}"]) for row in self.rows]

    def answers(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            row.item.pk: (data[f"status-{row.item.pk}"], data[f"note-{row.item.pk}"]) for row in self.rows
        }
