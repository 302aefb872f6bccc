"""Demo accounts for members (see the seed_demo command). Later parts of the co-op add theirs."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q

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


def _demo_login(*, role: str, email: str, is_staff: bool) -> DemoLogin:
    """Create the demo account, or put it back as it was: its email (someone trying the demo may
    have changed it), its password and its rights."""
    user = User.objects.filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email)).first()
    if user is None:
        services.user_create(email=email, password=DEMO_PASSWORD, is_staff=is_staff, email_verified=True)
    else:
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
        EmailAddress.objects.update_or_create(
            user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
        )
        user.email, user.is_staff, user.is_active = email, is_staff, True
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["email", "is_staff", "is_active", "password"])
    return DemoLogin(role=role, email=email, password=DEMO_PASSWORD)


@transaction.atomic
def seed() -> list[DemoLogin]:
    """Create or refresh the demo accounts; running it again changes nothing but their passwords."""
    logins = []
    for role, email, is_staff in DEMO_ACCOUNTS:
        logins.append(_demo_login(role=role, email=email, is_staff=is_staff))
    return logins
