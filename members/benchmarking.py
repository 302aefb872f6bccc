"""Members in bulk for the benchmark commands: rows inserted directly, not through the services,
so that thousands take seconds. Only for data that is rolled back at the end."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils import timezone

from members.models import MemberClass, Membership, ShareTransaction, User, VettingCheck


def members_seed_in_bulk(
    *, workers: int, receivers: int, email_domain: str, admitted_days_ago: int, checked_days_ago: int
) -> list[Membership]:
    """Admitted members, workers first, each with one paid £1 share and its user attached. The
    workers have a current DBS check and right to work, so rule 3 lets them be booked, and a
    `bookable_until` 800 days ahead."""
    today = timezone.localdate()
    password = make_password(None)
    start = (Membership.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@{email_domain}", password=password) for i in range(workers + receivers)],
        batch_size=2000,
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                number=start + i,
                user=user,
                member_class=MemberClass.WORKER if i < workers else MemberClass.RECEIVER,
                legal_name=f"Bench Member {i}",
                address="Bench",
                postcode="HX7 8AH",
                date_admitted=today - timedelta(days=admitted_days_ago),
                bookable_until=today + timedelta(days=800) if i < workers else None,
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    ShareTransaction.objects.bulk_create(
        [
            ShareTransaction(
                membership=m, kind="subscription", shares=1, amount_pence=100, date=m.date_admitted
            )
            for m in memberships
        ],
        batch_size=2000,
    )
    staff = users[0]
    issued = today - timedelta(days=checked_days_ago)
    checks = []
    for m in memberships[:workers]:
        checks.append(
            VettingCheck(
                membership=m,
                kind="dbs",
                issued_on=issued,
                expires_on=today + timedelta(days=800),
                certificate_number="001234567890",
                dbs_level="enhanced_barred",
                verified_by=staff,
            )
        )
        checks.append(
            VettingCheck(
                membership=m, kind="right_to_work", issued_on=issued, document="Passport", verified_by=staff
            )
        )
    VettingCheck.objects.bulk_create(checks, batch_size=4000)
    return memberships
