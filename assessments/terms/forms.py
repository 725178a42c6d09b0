from django import forms


class AcceptTermsForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    agree = forms.BooleanField(
        label="I have read these terms and accept them on behalf of my organization.",
        error_messages={"required": "Tick the box to accept the terms for your organization."},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is your organization withdrawing? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    understood = forms.BooleanField(
        label=(
            "I understand that once NAM staff confirm, our members lose access, our results leave later "
            "benchmark releases and our data is deleted after the retention period."
        ),
        error_messages={"required": "Tick the box to confirm that you understand what withdrawal does."},
    )
