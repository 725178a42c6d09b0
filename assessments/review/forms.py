"""Forms of the review per indicator and of the attestation (rendered by hand in Bootstrap markup)."""

from django import forms

from ..services.state import MAX_COMMENT
from .models import ReviewThread


class ThreadForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label="Kind", choices=ReviewThread.Kind.choices, initial=ReviewThread.Kind.QUESTION
    )
    body = forms.CharField(label="Comment", max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))
    blocking = forms.BooleanField(
        label="Blocking: the organization must reply before submitting again", required=False
    )


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3}))


class AttestForm(forms.Form):
    answers_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label="I have read this summary and attest that the assessment reflects our organization's practice",
        error_messages={"required": "Tick the attestation to submit the assessment."},
    )


class SendBackForm(forms.Form):
    note = forms.CharField(
        label="Note to the assessors", max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )
