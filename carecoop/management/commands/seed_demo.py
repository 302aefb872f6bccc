from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Each app may ship a `demo` module whose seed() creates its part of the demo co-op and returns
# the logins worth showing. They run in the order the apps depend on each other, so an app's
# demo can build on the ones before it without any app importing one to its right.
SEED_ORDER = ["members", "matching", "scheduling", "governance"]


class Command(BaseCommand):
    help = "Create the demo co-op in Calderdale, or bring it up to date. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CARECOOP_DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data has published passwords and is refused here (CARECOOP_DEMO_DATA_ALLOWED is off)."
            )
        logins = []
        for label in SEED_ORDER:
            app = apps.get_app_config(label)
            try:
                demo = import_module(f"{app.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app.name}.demo":
                    raise
                continue
            logins.extend(demo.seed())

        passwords = sorted({login.password for login in logins})
        self.stdout.write(
            self.style.SUCCESS(f"The demo co-op is ready. Demo logins (password: {', '.join(passwords)}):")
        )
        for login in logins:
            self.stdout.write(f"  {login.email:<34} {login.role}")
        secrets = sorted({login.totp_secret for login in logins if getattr(login, "totp_secret", "")})
        if secrets:
            self.stdout.write(
                "Staff then enter a code from an authenticator app set up with the secret "
                f"{', '.join(secrets)}, or the code `.venv/bin/python manage.py demo_code` prints."
            )
