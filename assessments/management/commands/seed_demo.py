"""Demo data for trying the portal: `manage.py seed_demo --orgs 60 --cycles 3 --seed 1 [--if-empty]`."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.services.demo import DEMO_ORG_NAME, demo_logins, demo_seed


class Command(BaseCommand):
    help = "Create believable demo organizations, people, cycles and assessments (needs a published rubric)."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=60, help="How many organizations (default 60).")
        parser.add_argument("--cycles", type=int, default=3, help="How many yearly cycles (default 3).")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (default 1).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when organizations exist already."
        )

    def handle(self, *, orgs, cycles, seed, if_empty, **options):
        started = time.monotonic()
        try:
            result = demo_seed(orgs=orgs, cycles=cycles, seed=seed, if_empty=if_empty)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if result.skipped:
            self.stdout.write("Organizations exist already: no demo data added (--if-empty).")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data: {result.organizations} organizations, {result.users} users, "
                    f"cycles {', '.join(result.cycles)}, {result.assessments} assessments, "
                    f"{result.responses} responses in {time.monotonic() - started:.1f} s."
                )
            )
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (demo organization: {DEMO_ORG_NAME}):")
        for username, password, purpose in demo_logins():
            self.stdout.write(f"  {username:<16} {password}   {purpose}")
