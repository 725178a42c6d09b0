"""How a service's refusal reaches the form that sent the input (assessments and reports forms use it)."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form that sent the input: each message on the field it names, the rest
    (and any field the form does not have) above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
