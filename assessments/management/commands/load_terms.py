"""manage.py load_terms PATH: load a participation terms version (idempotent; a loaded version is fixed)."""

from django.core.management.base import BaseCommand, CommandError

from assessments.terms.loader import TermsFileError, parse_terms_file
from assessments.terms.services import TermsRefused, terms_load


class Command(BaseCommand):
    help = (
        "Load participation terms from a file with front matter (such as fixtures/terms/2026.1.md). Loading "
        "the same file again changes nothing; a changed text under a loaded version is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the terms file (Markdown with version and effective date)")

    def handle(self, *args, path, **options):
        try:
            result = terms_load(spec=parse_terms_file(path))
        except TermsFileError as exc:
            raise CommandError(f"{path} was not loaded: {exc}") from None
        except TermsRefused as exc:
            raise CommandError(f"{path} was not loaded: {' '.join(exc.messages)}") from None
        self.stdout.write(self.style.SUCCESS(result.summary()) if result.created else result.summary())
