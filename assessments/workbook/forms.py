"""The upload form and the officer's choice for each conflict of the preview."""

from django import forms

from ..forms.workflow import KEEP_MINE, TAKE_THEIRS


class WorkbookUploadForm(forms.Form):
    workbook = forms.FileField(
        label="Workbook (.xlsx)",
        help_text="The workbook downloaded from this assessment, filled in. You see every change before "
        "anything is saved.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class ConflictChoiceForm(forms.Form):
    """One conflict: keep the workbook's answer or take the saved one (the same choice as the commitment
    page's, so its conflict panel renders it). The saved version shown travels with it."""

    resolution = forms.ChoiceField(
        label="Which answer should be kept?",
        choices=[(KEEP_MINE, "Keep my answer"), (TAKE_THEIRS, "Take the saved answer")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose which answer to keep."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def conflict_forms(conflicts, data=None) -> dict[int, ConflictChoiceForm]:
    """{indicator id: its choice form}, bound to the POST when given."""
    return {
        item.indicator.pk: ConflictChoiceForm(
            data,
            prefix=f"conflict-{item.indicator.pk}",
            initial={"resolution": KEEP_MINE, "version": item.saved_version},
        )
        for item in conflicts
    }
