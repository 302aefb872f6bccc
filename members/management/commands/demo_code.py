from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members.demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the code the demo's staff enter after their password (it changes every 30 seconds)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CARECOOP_DEMO_DATA_ALLOWED:
            raise CommandError("There is no demo here (CARECOOP_DEMO_DATA_ALLOWED is off).")
        now = int(timezone.now().timestamp())
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // 30))
        self.stdout.write(f"{code}  (good for {30 - now % 30} more seconds)")
