"""Interest on share capital: a year's rate set by the board, no higher than the rules allow,
worked out pro rata by the days each pound was held, apart from dividends (decision 24)."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.exceptions import ApplicationError, ConflictError
from carecoop.money import pounds
from governance import sharing
from governance.models import DividendPolicy, FinancialYear, InterestDeclaration, ShareInterest
from governance.services.common import staff_only
from members.models import MemberClass, Membership, ShareTransaction, User


def _rate(value: object) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        rate = Decimal(-1)
    if not rate.is_finite() or rate <= 0 or rate != rate.quantize(Decimal("0.01")):
        message = _("Give a rate above nothing, to at most two decimal places.")
        raise ApplicationError(message, code="invalid_rate", fields={"rate_percent": [message]})
    return rate.quantize(Decimal("0.01"))


@transaction.atomic
def interest_declare(
    *, user: User, year: FinancialYear, rate_percent: Decimal, today: date | None = None
) -> InterestDeclaration:
    """Declare a year's interest on investors' share capital and issue each investor's statement.
    Once a year: the database refuses a second declaration, so nobody is paid twice."""
    staff_only(user, _("declare interest on shares"), action="interest_declare")
    rate = _rate(rate_percent)
    most = DividendPolicy.current().interest_max_percent
    if rate > most:
        message = _("The rules allow interest of at most %(most)s%% a year.") % {"most": most}
        raise ApplicationError(message, code="rate_above_rules", fields={"rate_percent": [message]})
    year = FinancialYear.objects.select_for_update().get(pk=year.pk)
    if year.ends >= (today or timezone.localdate()):
        raise ApplicationError(_("Interest is declared once the year is over."), code="year_not_over")
    if InterestDeclaration.objects.filter(year=year).exists():
        raise ConflictError(_("This year's interest is already declared."), code="already_declared")
    try:
        with transaction.atomic():
            declaration = InterestDeclaration.objects.create(year=year, rate_percent=rate, declared_by=user)
    except IntegrityError:
        raise ConflictError(_("This year's interest is already declared."), code="already_declared") from None

    days = sharing.year_days(starts=year.starts, ends=year.ends)
    investors = Membership.objects.filter(
        Q(date_ceased__isnull=True) | Q(date_ceased__gte=year.starts),
        member_class=MemberClass.INVESTOR,
        date_admitted__lte=year.ends,
    ).select_related("user", "profile")
    changes: dict[int, list[tuple[date, int]]] = {}
    for membership_id, day, kind, pence in (
        ShareTransaction.objects.filter(membership__in=investors, date__lte=year.ends)
        .order_by()
        .values_list("membership_id", "date", "kind", "amount_pence")
    ):
        signed = -pence if kind == ShareTransaction.Kind.WITHDRAWAL else pence
        changes.setdefault(membership_id, []).append((day, signed))
    rows, emails = [], []
    for member in investors:
        held = sharing.capital_pence_days(
            starts=year.starts,
            ends=year.ends,
            changes=changes.get(member.pk, []),
            held_until=member.date_ceased,
        )
        if held == 0:
            continue
        amount = sharing.interest_due(capital_pence_days=held, rate_percent=rate, days_in_year=days)
        average = held // days
        rows.append(
            ShareInterest(
                declaration=declaration,
                membership=member,
                capital_pence_days=held,
                average_capital_pence=average,
                amount_pence=amount,
            )
        )
        emails.append(
            outbox.Outgoing(
                kind="governance.interest_statement",
                to=member.user.email,
                name=member.shown_name,
                context={
                    "amount": pounds(amount),
                    "rate": str(rate),
                    "average": pounds(average),
                    "year": year.label,
                },
                about=f"interest:{declaration.pk}:{member.pk}",
            )
        )
    ShareInterest.objects.bulk_create(rows, batch_size=2000)
    declaration.total_pence = sum(row.amount_pence for row in rows)
    declaration.save(update_fields=["total_pence"])
    outbox.emails_queue(emails=emails)
    return declaration


@transaction.atomic
def interest_pay(
    *, user: User, declaration: InterestDeclaration, now: datetime | None = None
) -> InterestDeclaration:
    staff_only(user, _("pay interest"), action="interest_pay")
    declaration = InterestDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status == InterestDeclaration.Status.PAID:
        raise ConflictError(_("This interest is already paid."), code="already_paid")
    declaration.status = InterestDeclaration.Status.PAID
    declaration.paid_at, declaration.paid_by = now or timezone.now(), user
    declaration.save(update_fields=["status", "paid_at", "paid_by"])
    return declaration
