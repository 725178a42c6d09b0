"""manage.py load_rubric PATH [--publish]: load a rubric version from its YAML file, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from commitments.loader import RubricFileError, parse_file
from commitments.services import rubric_load


class Command(BaseCommand):
    help = (
        "Load a rubric version from a YAML file (such as fixtures/rubric/2026.1.yaml). Loading the same "
        "file again changes nothing; a published version can only be reloaded unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the rubric YAML file")
        parser.add_argument(
            "--publish", action="store_true", help="publish the version (it can never change afterwards)"
        )

    def handle(self, *args, path, publish, **options):
        try:
            result = rubric_load(spec=parse_file(path), publish=publish)
        except RubricFileError as exc:
            problems = exc.errors
            heading = f"{path} was not loaded ({len(problems)} problem{'s' if len(problems) > 1 else ''}):"
            raise CommandError("\n".join([heading, *(f"  {p}" for p in problems)])) from None
        self.stdout.write(self.style.SUCCESS(result.summary()) if result.changed else result.summary())
