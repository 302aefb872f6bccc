"""Demo accounts for members (see the seed_demo command). Later parts of the co-op add theirs."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from members import services
from members.models import User

DEMO_PASSWORD = "calder-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


DEMO_ACCOUNTS = [
    # (role shown to the person running the demo, email, staff?)
    ("Staff: the co-op's secretary", "secretary@demo.carecoop.example", True),
    ("A signed-up person (not yet a member)", "newcomer@demo.carecoop.example", False),
]


@transaction.atomic
def seed() -> list[DemoLogin]:
    """Create or refresh the demo accounts; running it again changes nothing but their passwords."""
    logins = []
    for role, email, is_staff in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            services.user_create(email=email, password=DEMO_PASSWORD, is_staff=is_staff, email_verified=True)
        else:
            user.is_staff, user.is_active = is_staff, True
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["is_staff", "is_active", "password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        logins.append(DemoLogin(role=role, email=email, password=DEMO_PASSWORD))
    return logins
