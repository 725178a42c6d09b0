"""The evidence forms: which indicator, which file or document. The file itself is judged by the service."""

from django import forms


class UploadForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    # Empty files pass here so that the service's message (the one home of the rules) is the one shown.
    file = forms.FileField(
        allow_empty_file=True, error_messages={"required": "Choose a file to upload, then press Upload."}
    )


class AttachForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    document = forms.IntegerField(
        error_messages={"required": "Choose one of the assessment's documents, then press Add."}
    )


def first_error(form: forms.Form) -> str:
    return next(iter(form.errors.values()))[0] if form.errors else ""
