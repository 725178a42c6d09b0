"""Forms of the assessment workflow: answers per indicator, NAM review and cycles."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from commitments.models import MaturityLevel, Rubric

from ..models import AssessmentCycle, Response
from ..services.workflow import (
    MAX_COMMENT,
    MAX_EVIDENCE_LINKS,
    MAX_EVIDENCE_LINKS_CHARS,
    MAX_EVIDENCE_SUMMARY,
    MAX_NA_JUSTIFICATION,
    Answer,
    clean_evidence_links,
)

NOT_APPLICABLE = "na"
ANSWER_CHOICES = [(str(level.value), level.label) for level in MaturityLevel] + [
    (NOT_APPLICABLE, "Not applicable")
]
KEEP_MINE, TAKE_THEIRS = "mine", "theirs"
TEXT_CLASS = "textarea form-control"  # crispy-bootstrap5's classes: the commitment page renders these by hand


def _at_most(limit: int):
    """A length check whose message says the limit and the length, as the page's counter does."""

    def validate(value: str) -> None:
        length = len(value)
        if length > limit:
            raise ValidationError(
                f"At most {limit:,} characters: this text has {length:,} ({length - limit:,} too many). "
                "Shorten it, or put the rest in a document and link to it."
            )

    return validate


def _limited_text(limit: int, **attrs) -> forms.Textarea:
    # data-maxlength, not maxlength: the browser would cut a longer paste without a sign; the page counts
    # the characters instead (static/js/portal.js) and the form refuses a longer text with a message.
    return forms.Textarea(attrs={**attrs, "class": TEXT_CLASS, "data-maxlength": str(limit)})


class AnswerForm(forms.Form):
    """One indicator's answer. The indicator and the version it was loaded at travel as hidden fields."""

    indicator = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    answer = forms.ChoiceField(
        choices=ANSWER_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a level from 1 to 5, or Not applicable."},
    )
    na_justification = forms.CharField(
        label="Why does this indicator not apply?",
        required=False,
        validators=[_at_most(MAX_NA_JUSTIFICATION)],
        widget=_limited_text(MAX_NA_JUSTIFICATION, rows=2),
        help_text="Required for Not applicable. A reviewer reads this. "
        f"At most {MAX_NA_JUSTIFICATION:,} characters.",
    )
    evidence_summary = forms.CharField(
        label="Evidence summary",
        required=False,
        validators=[_at_most(MAX_EVIDENCE_SUMMARY)],
        widget=_limited_text(MAX_EVIDENCE_SUMMARY, rows=3),
        help_text="What shows this level in practice: policies, measures, minutes, results. "
        f"At most {MAX_EVIDENCE_SUMMARY:,} characters.",
    )
    evidence_links = forms.CharField(
        label="Evidence links",
        required=False,
        validators=[_at_most(MAX_EVIDENCE_LINKS_CHARS)],
        widget=_limited_text(
            MAX_EVIDENCE_LINKS_CHARS, rows=2, placeholder="https://intranet.example.org/policy"
        ),
        help_text=f"One web address per line (http:// or https://), at most {MAX_EVIDENCE_LINKS}.",
    )
    resolution = forms.ChoiceField(
        label="Which answer should be kept?",
        choices=[(KEEP_MINE, "Keep my answer"), (TAKE_THEIRS, "Take the saved answer")],
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, allowed_indicators: frozenset[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_indicators = allowed_indicators

    def full_clean(self):
        super().full_clean()
        # Bootstrap marks an invalid field by its class (crispy did this for us on other pages).
        for name in self.errors:
            if name in self.fields and self.fields[name].widget.attrs.get("class") == TEXT_CLASS:
                self.fields[name].widget.attrs["class"] = f"{TEXT_CLASS} is-invalid"

    def clean_indicator(self):
        value = self.cleaned_data["indicator"]
        if value not in self.allowed_indicators:
            raise ValidationError("This indicator is not part of this commitment; reload the page.")
        return value

    def clean_evidence_links(self):
        return clean_evidence_links(self.cleaned_data.get("evidence_links", ""))

    def clean(self):
        data = super().clean()
        if Response.na_reason_missing(
            not_applicable=data.get("answer") == NOT_APPLICABLE, na_justification=data.get("na_justification")
        ):
            self.add_error("na_justification", Response.NA_REASON_MISSING)
        return data

    def to_answer(self) -> Answer:
        data = self.cleaned_data
        choice = data.get("answer") or ""
        return Answer(
            indicator_id=data["indicator"],
            level=int(choice) if choice.isdigit() else None,
            not_applicable=choice == NOT_APPLICABLE,
            na_justification=data.get("na_justification", ""),
            evidence_summary=data.get("evidence_summary", ""),
            evidence_links=data.get("evidence_links", ""),
            version=data["version"],
        )


class BaseAnswerFormSet(forms.BaseFormSet):
    def __init__(self, *args, indicator_ids: list[int], **kwargs):
        self.indicator_ids = indicator_ids
        kwargs.setdefault("form_kwargs", {})["allowed_indicators"] = frozenset(indicator_ids)
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        ids = [form.cleaned_data["indicator"] for form in self.forms]
        if len(set(ids)) != len(ids):
            raise ValidationError("The same indicator was sent twice; reload the page and try again.")


def answer_formset_class(count: int):
    return forms.formset_factory(
        AnswerForm,
        formset=BaseAnswerFormSet,
        extra=0,
        min_num=count,
        max_num=count,
        validate_min=True,
        validate_max=True,
    )


def answer_initial(rows) -> list[dict]:
    """Initial form values from selectors.commitment_rows."""
    initial = []
    for row in rows:
        response = row.response
        value = {"indicator": row.indicator.pk, "version": response.version if response else 0}
        if response is not None:
            value.update(
                answer=NOT_APPLICABLE if response.not_applicable else (str(response.level or "")),
                na_justification=response.na_justification,
                evidence_summary=response.evidence_summary,
                evidence_links=response.evidence_links,
            )
        initial.append(value)
    return initial


class ReviewDecisionForm(forms.Form):
    VALIDATE, RETURN = "validate", "return"

    decision = forms.ChoiceField(
        choices=[(VALIDATE, "Validate"), (RETURN, "Return to the organization")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to validate or to return the assessment."},
    )
    comment = forms.CharField(
        label="Comment to the organization",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when you return the assessment without open comments on indicators: say what to "
        "change before resubmitting. The open comments go back with it.",
    )

    rejected_na = forms.TypedMultipleChoiceField(
        label="N/A reasons NAM does not accept",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick an N/A whose reason does not show that the indicator cannot apply: the assessment is "
        "returned and the organization answers it again. Validating accepts every N/A reason.",
    )

    def __init__(self, *args, action: str = "", na_choices=(), **kwargs):
        """na_choices: (response id, label) of the assessment's N/A answers."""
        super().__init__(*args, **kwargs)
        if na_choices:
            self.fields["rejected_na"].choices = list(na_choices)
        else:
            del self.fields["rejected_na"]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("send", "Record the decision"))

    def clean(self):
        data = super().clean()
        # A return without a comment is fine when open review threads say what to change: the service decides.
        if data.get("decision") == self.VALIDATE and data.get("rejected_na"):
            self.add_error(
                "decision",
                "A rejected N/A returns the assessment: choose Return, or accept every N/A reason.",
            )
        return data


class DateInput(forms.DateInput):
    input_type = "date"


class CycleForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="Such as 2027. The web address is made from it.")
    rubric = forms.ModelChoiceField(
        queryset=Rubric.objects.published(),
        label="Rubric version",
        empty_label=None,
        error_messages={"invalid_choice": "Choose a published rubric version."},
    )
    opens_on = forms.DateField(label="Opens on", widget=DateInput)
    closes_on = forms.DateField(label="Closes on (deadline)", widget=DateInput)

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-3"),
                Column("rubric", css_class="col-md-3"),
                Column("opens_on", css_class="col-md-3"),
                Column("closes_on", css_class="col-md-3"),
            )
        )
        self.helper.add_input(Submit("create", "Create the cycle"))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        slug = slugify(name)
        if not slug:
            raise ValidationError("The name needs at least one letter or digit.")
        if (
            AssessmentCycle.objects.filter(slug=slug).exists()
            or AssessmentCycle.objects.filter(name__iexact=name).exists()
        ):
            raise ValidationError(f"A cycle named {name} exists already.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "The cycle must close on or after the day it opens.")
        return data
