from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import Exact, In
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecoop import request_memo
from carecoop.db import number_from_text
from carecoop.models import StaffAction
from carecoop.money import pounds, pounds_figure
from carecoop.personal_data import Section, section, sections
from members import profiles
from members.models import (
    Application,
    CircleMember,
    EmergencyContact,
    GoverningDocument,
    MemberClass,
    Membership,
    Profile,
    ShareTransaction,
    User,
    VettingCheck,
    WeeklyTime,
)

# What a member's face shows others: their membership, and of their profile the name they go by
# and their photo with who may see it (photos_visible_to), not the texts about them.
_FACE_PROFILE_FIELDS = ("id", "membership", "display_name", "photo", "visibility")


def face_fields(path: str) -> tuple[str, ...]:
    """For `.only()`, beside `select_related(f"{path}__profile")`: the member at `path` with what
    their face needs. Every column a query selects is work for Django to compile and build, and a
    profile's texts are most of its row."""
    return (
        *(f"{path}__{f.name}" for f in Membership._meta.concrete_fields),
        *(f"{path}__profile__{name}" for name in _FACE_PROFILE_FIELDS),
    )


def addressed_to(*, user: User, field: str) -> Q:
    """The rows whose email address `field` is one of the account's, in any case: its own, or one
    it added."""
    added = user.emailaddress_set.annotate(lower=Lower("email")).values("lower")  # type: ignore[attr-defined]
    return Q(In(Lower(field), added)) | Q(Exact(Lower(field), user.email.lower()))


def membership_current_for_user(*, user: User | AnonymousUser) -> Membership | None:
    """The user's membership now, if any. Asked by the menu, the page and its permission checks:
    within one request the database is asked once (carecoop.request_memo; the services that
    change a membership forget the answer)."""
    if not user.is_authenticated:
        return None
    return request_memo.remember(
        ("membership_current_for_user", user.pk),
        lambda: Membership.objects.current().filter(user=user).first(),
    )


def member_names_for(*, user_ids: Iterable[int]) -> dict[int, str]:
    """The name each of these people goes by in the co-op (their profile's, or the register's),
    for those who are members now: one query however many people."""
    found: dict[int, str] = {}
    for user_id, display_name, legal_name in (
        Membership.objects.current()
        .filter(user_id__in=set(user_ids))
        .values_list("user_id", "profile__display_name", "legal_name")
    ):
        found[user_id] = display_name or legal_name
    return found


def membership_latest_for_user(*, user: User) -> Membership | None:
    """The current membership, or else the most recent one that ceased."""
    return (
        Membership.objects.filter(user=user)
        .order_by(F("date_ceased").desc(nulls_first=True), "-date_admitted", "-pk")
        .first()
    )


def application_open_for_user(*, user: User) -> Application | None:
    return Application.objects.filter(user=user, status=Application.Status.SUBMITTED).first()


def application_latest_for_user(*, user: User) -> Application | None:
    return Application.objects.filter(user=user).order_by("-submitted_at", "-pk").first()


def documents_current() -> dict[str, GoverningDocument]:
    """The newest version of each governing document, by kind."""
    latest: dict[str, GoverningDocument] = {}
    for kind in GoverningDocument.Kind.values:
        document = GoverningDocument.objects.filter(kind=kind).order_by("-version").first()
        if document is not None:
            latest[kind] = document
    return latest


# --- Shares -----------------------------------------------------------------------------------


def _signed(field_name: str, path: str = "share_transactions__") -> Any:
    """The sum of a share-transaction field, subscriptions adding and withdrawals subtracting.
    `path` leads from the rows summed over to the transactions ("" on transactions themselves)."""
    value = F(f"{path}{field_name}")
    signed = Case(
        When(**{f"{path}kind": ShareTransaction.Kind.WITHDRAWAL}, then=-1 * value),
        default=value,
        output_field=IntegerField(),
    )
    return Coalesce(Sum(signed), Value(0))


def _signed_for_each_member(field_name: str) -> Any:
    """The same sum as `_signed`, for each membership row on its own (a subquery by its id): a
    page of the register sums the shares of its own rows only, where a join and GROUP BY would
    sum every member's before the first page could be taken."""
    total = (
        ShareTransaction.objects.filter(membership=OuterRef("pk"))
        .values("membership")
        .annotate(total=_signed(field_name, path=""))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class Holding:
    shares: int
    amount_pence: int


def membership_shares_held(*, membership: Membership) -> Holding:
    totals = Membership.objects.filter(pk=membership.pk).aggregate(
        shares=_signed("shares"), amount_pence=_signed("amount_pence")
    )
    return Holding(shares=totals["shares"], amount_pence=totals["amount_pence"])


def membership_can_participate(*, membership: Membership | None, on: date | None = None) -> bool:
    """Rule 1: only an admitted member, not ceased, holding a paid share may vote, book or be booked."""
    if membership is None:
        return False
    day = on or timezone.localdate()
    if membership.date_admitted > day or membership.ceased_on_or_before(day):
        return False
    return membership_shares_held(membership=membership).shares >= 1


def memberships_participating(*, on: date) -> QuerySet[Membership]:
    """Rule 1 for many at once: the members admitted by `on`, not ceased by then, holding a
    paid share. Who may vote on a ballot is fixed from this when it opens."""
    return (
        Membership.objects.filter(date_admitted__lte=on)
        .filter(Q(date_ceased__isnull=True) | Q(date_ceased__gt=on))
        .annotate(shares_held=_signed("shares"))
        .filter(shares_held__gte=1)
    )


# --- Staff views of applications and the register ------------------------------------------


def application_queue() -> QuerySet[Application]:
    """Applications waiting for a decision, oldest first."""
    return (
        Application.objects.filter(status=Application.Status.SUBMITTED)
        .select_related("user")
        .order_by("submitted_at", "pk")
    )


def applications_waiting_counts() -> dict[str, int]:
    """For staff's home: applications waiting for a decision, and of those the ones whose share
    payment is still to be recorded. One query whatever the number of applications."""
    counts = Application.objects.filter(status=Application.Status.SUBMITTED).aggregate(
        waiting=Count("pk"),
        unpaid=Count("pk", filter=Q(payment_recorded_at__isnull=True)),
    )
    return {"waiting": counts["waiting"], "unpaid": counts["unpaid"]}


def application_list(*, status: str | None = None) -> QuerySet[Application]:
    applications = Application.objects.select_related("user", "decided_by", "rules", "commitment").order_by(
        "submitted_at", "pk"
    )
    if status:
        applications = applications.filter(status=status)
    return applications


def application_list_for_user(*, user: User, status: str = "") -> QuerySet[Application]:
    """Staff see every application; anyone else sees only their own."""
    applications = application_list(status=status or None)
    return applications if user.is_staff else applications.filter(user=user)


def application_get_for_user(*, user: User, pk: int) -> Application:
    """An application the user may see, else 404: whether it exists is not theirs to learn."""
    application = application_get(pk=pk)
    if not user.is_staff and application.user_id != user.pk:
        raise Http404
    return application


def application_get(*, pk: int) -> Application:
    try:
        return Application.objects.select_related(
            "user", "rules", "commitment", "decided_by", "payment_recorded_by"
        ).get(pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def register_list(
    *,
    search: str = "",
    member_class: str = "",
    standing: str = "",
) -> QuerySet[Membership]:
    """The register of members, with each member's shares held and amount paid.

    `standing` is "current", "ceased" or "" for both. One query, whatever the register's size;
    a page of it (a slice) sums only its own rows' shares, and counting it sums none.
    """
    members = (
        Membership.objects.select_related("user")
        .annotate(
            shares_held=_signed_for_each_member("shares"),
            amount_paid_pence=_signed_for_each_member("amount_pence"),
        )
        .order_by("number")
    )
    if search.strip():
        term = search.strip()
        query = (
            Q(legal_name__icontains=term)
            | Q(user__email__icontains=term)
            | Q(postcode__icontains=term)
            | Q(address__icontains=term)
        )
        if (number := number_from_text(term)) is not None:
            query |= Q(number=number)
        members = members.filter(query)
    if member_class in MemberClass.values:
        members = members.filter(member_class=member_class)
    if standing == "current":
        members = members.filter(date_ceased__isnull=True)
    elif standing == "ceased":
        members = members.filter(date_ceased__isnull=False)
    return members


def membership_get_by_number(*, number: int) -> Membership:
    try:
        return (
            Membership.objects.select_related("user", "application")
            .annotate(shares_held=_signed("shares"), amount_paid_pence=_signed("amount_pence"))
            .get(number=number)
        )
    except Membership.DoesNotExist as exc:
        raise Http404 from exc


REGISTER_CSV_HEADER = [
    "number",
    "name",
    "address",
    "postcode",
    "email",
    "class",
    "shares_held",
    "amount_paid",
    "date_admitted",
    "date_ceased",
    "reason_ceased",
]


def register_csv_rows(members: QuerySet[Membership]) -> Iterator[list[str]]:
    """The register's rows as the CSV gives them (carecoop.spreadsheets makes them safe), read
    from the database in chunks as they are asked for.

    The labels of classes and reasons are translated here, once, in the language of the request
    that asks: translating a label costs far more than writing a row (more than half the time
    of 10,000 rows when each row translated its own)."""
    class_labels = {value: str(label) for value, label in MemberClass.choices}
    reason_labels = {value: str(label) for value, label in Membership.CessationReason.choices}

    def rows() -> Iterator[list[str]]:
        # Plain tuples, not model instances: building 20,000 objects (each member and their
        # user) would cost more than all the rest of the file.
        for (
            number,
            legal_name,
            address,
            postcode,
            email,
            member_class,
            shares_held,
            amount_paid_pence,
            date_admitted,
            date_ceased,
            cessation_reason,
        ) in members.values_list(  # type: ignore[misc]  # the stubs know no annotated names
            "number",
            "legal_name",
            "address",
            "postcode",
            "user__email",
            "member_class",
            "shares_held",
            "amount_paid_pence",
            "date_admitted",
            "date_ceased",
            "cessation_reason",
        ).iterator(chunk_size=2000):
            yield [
                str(number),
                legal_name,
                " ".join(address.split()),
                postcode,
                email,
                class_labels[member_class],
                str(shares_held),
                pounds_figure(amount_paid_pence),
                date_admitted.isoformat(),
                date_ceased.isoformat() if date_ceased else "",
                reason_labels[cessation_reason] if cessation_reason else "",
            ]

    return rows()


# --- History ----------------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    at: datetime
    by: str
    what: str
    changes: list[str] = field(default_factory=list)


TRACKED_FIELDS = {
    "member_class": gettext_lazy("class"),
    "legal_name": gettext_lazy("name"),
    "address": gettext_lazy("address"),
    "postcode": gettext_lazy("postcode"),
    "date_ceased": gettext_lazy("date ceased"),
    "cessation_reason": gettext_lazy("reason ceased"),
}


def membership_history(*, membership: Membership) -> list[HistoryEntry]:
    """Every change to a membership and its shares, newest first, with who made it."""
    entries: list[HistoryEntry] = []
    records = list(membership.history.select_related("history_user").order_by("history_date", "history_id"))
    previous: Any = None
    for record in records:
        changes: list[str] = []
        if previous is not None:
            for name, label in TRACKED_FIELDS.items():
                before, after = getattr(previous, name), getattr(record, name)
                if before != after:
                    changes.append(
                        _("%(field)s: %(before)s → %(after)s")
                        % {"field": label, "before": _display(name, before), "after": _display(name, after)}
                    )
        entries.append(
            HistoryEntry(
                at=record.history_date,
                by=record.history_user.email if record.history_user else _("the system"),
                what=record.history_change_reason or (_("Admitted") if previous is None else _("Changed")),
                changes=changes,
            )
        )
        previous = record
    for transaction in membership.share_transactions.select_related("recorded_by"):
        entries.append(
            HistoryEntry(
                at=transaction.recorded_at,
                by=transaction.recorded_by.email if transaction.recorded_by else _("the system"),
                what=_("%(kind)s: %(shares)s (%(amount)s, %(day)s)")
                % {
                    "kind": transaction.get_kind_display(),
                    "shares": transaction.shares,
                    "amount": pounds(transaction.amount_pence),
                    "day": transaction.date.strftime("%-d %B %Y"),
                },
                changes=[transaction.reference] if transaction.reference else [],
            )
        )
    # Newest first; changes made in the same instant keep the order they were made in, newest first.
    entries.reverse()
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _display(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if name == "member_class":
        return str(MemberClass(value).label)
    if name == "cessation_reason":
        return str(Membership.CessationReason(value).label)
    return str(value)


# --- Profiles -----------------------------------------------------------------------------------


def profile_get_for_membership(*, membership: Membership) -> Profile | None:
    return (
        Profile.objects.filter(membership=membership)
        .select_related("membership", "district")
        .prefetch_related("languages", "skills", "support_wanted", "lived_experience", "weekly_times")
        .first()
    )


def profile_whereabouts_for(*, membership: Membership) -> Profile | None:
    """The profile's place and how far its member looks, without its lists: what searching and
    suggesting from where a person lives start from, in one query."""
    return (
        Profile.objects.filter(membership=membership)
        .select_related("membership")
        .only("membership", "latitude", "longitude", "max_distance_km")
        .first()
    )


def profile_viewer(*, user: User | AnonymousUser, profile: Profile, in_team: bool = False) -> str | None:
    """How a user stands to a profile: "self", "staff", "team", "member", or None (sees nothing).

    `in_team` is for the caller who knows the user is in the person's team (teams are chosen
    in matching, which builds on this app).
    """
    if not user.is_authenticated:
        return None
    if profile.membership.user_id == user.pk:
        return "self"
    if user.is_staff:
        return "staff"
    if in_team or circle_power(user=user, receiver=profile.membership, power="can_view_care"):
        return "team"
    if membership_current_for_user(user=user) is not None:
        return "member"
    # Someone who finds workers for a person getting support sees members as that person would.
    if CircleMember.objects.filter(
        supporter=user,
        status=CircleMember.Status.ACTIVE,
        can_manage_team=True,
        receiver__date_ceased__isnull=True,
    ).exists():
        return "member"
    return None


def photos_visible_to(
    *, user: User | AnonymousUser, profiles: Iterable[Profile], in_team_of: Collection[int] = frozenset()
) -> set[int]:
    """The memberships (ids) among these profiles whose photo the user may see: each has a photo
    and the same answer `profile_viewer` gives the photo's own page, in at most three queries
    however many profiles (select each profile's membership with it).

    `in_team_of` is, as `in_team` is for `profile_viewer`, from the caller who knows: the people
    (membership ids) whose team the user is in."""
    shown = [profile for profile in profiles if profile.photo]
    if not user.is_authenticated or not shown:
        return set()
    cares_for = set(
        CircleMember.objects.filter(
            supporter=user,
            status=CircleMember.Status.ACTIVE,
            can_view_care=True,
            receiver_id__in=[profile.membership_id for profile in shown],
        ).values_list("receiver_id", flat=True)
    )
    as_member: bool | None = None
    visible: set[int] = set()
    for profile in shown:
        viewer: str | None
        if profile.membership.user_id == user.pk:
            viewer = "self"
        elif user.is_staff:
            viewer = "staff"
        elif profile.membership_id in in_team_of or profile.membership_id in cares_for:
            viewer = "team"
        else:
            if as_member is None:
                as_member = (
                    membership_current_for_user(user=user) is not None
                    or CircleMember.objects.filter(
                        supporter=user,
                        status=CircleMember.Status.ACTIVE,
                        can_manage_team=True,
                        receiver__date_ceased__isnull=True,
                    ).exists()
                )
            viewer = "member" if as_member else None
        if "photo" in profile_visible_fields(profile=profile, viewer=viewer) and profile_photo_kept(
            profile=profile
        ):
            visible.add(profile.membership_id)
    return visible


def profile_visible_fields(*, profile: Profile, viewer: str | None) -> frozenset[str]:
    return profiles.visible_fields(profile.membership.member_class, profile.visibility, viewer)


def profile_photo_kept(*, profile: Profile) -> bool:
    """Whether the profile has a photo to show: one is named and its file is still in storage.
    A file lost from storage (uploads not restored with the database, a disk cleared) shows as
    no photo, the member's initials, rather than a broken image and an error."""
    return bool(profile.photo) and profile.photo.storage.exists(profile.photo.name)


# --- Vetting ------------------------------------------------------------------------------------


def _latest_checks() -> QuerySet[VettingCheck]:
    """Checks that no newer check of the same kind (and course) replaces. References stand
    each on its own: a second reference adds to the first."""
    newer = (
        VettingCheck.objects.exclude(kind=VettingCheck.Kind.REFERENCE)
        .filter(voided_at__isnull=True)
        .annotate(course_key=Coalesce("course_id", 0))
        .filter(membership=OuterRef("membership"), kind=OuterRef("kind"), course_key=OuterRef("course_key"))
        .filter(
            Q(issued_on__gt=OuterRef("issued_on")) | Q(issued_on=OuterRef("issued_on"), pk__gt=OuterRef("pk"))
        )
    )
    return (
        VettingCheck.objects.filter(voided_at__isnull=True)
        .annotate(course_key=Coalesce("course_id", 0))
        .annotate(replaced=Exists(newer))
        .filter(replaced=False)
    )


def vetting_latest_for(*, membership: Membership) -> list[VettingCheck]:
    return list(_latest_checks().filter(membership=membership).select_related("course", "verified_by"))


def vetting_history_for(*, membership: Membership) -> list[VettingCheck]:
    return list(membership.vetting_checks.select_related("course", "verified_by").order_by("-verified_at"))


REQUIRED_FOR_BOOKING = (VettingCheck.Kind.DBS, VettingCheck.Kind.RIGHT_TO_WORK)


def _current_check(kind: str, day: date) -> Q:
    current = Q(kind=kind, issued_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    if kind == VettingCheck.Kind.DBS:
        current &= Q(dbs_level__in=[VettingCheck.DbsLevel.ENHANCED, VettingCheck.DbsLevel.ENHANCED_BARRED])
    return current


def bookable_on(on: date, *, via: str = "") -> Q:
    """Rule 3 as a condition on each row: a worker admitted and not ceased on the day, holding a
    share, with an enhanced criminal-record check and the right to work both current that day.

    `via` is the path from the rows filtered to their membership ("membership__" for profiles),
    so that a search can apply it after cheaper filters (distance) have narrowed the rows.
    """
    membership = OuterRef(via.removesuffix("__") or "pk")
    holding = (
        ShareTransaction.objects.filter(membership=membership)
        .values("membership")
        .annotate(held=_signed("shares", path=""))
        .filter(held__gte=1)
    )
    condition = Q(**{f"{via}member_class": MemberClass.WORKER, f"{via}date_admitted__lte": on}) & (
        Q(**{f"{via}date_ceased__isnull": True}) | Q(**{f"{via}date_ceased__gt": on})
    )
    condition &= Q(Exists(holding))
    for kind in REQUIRED_FOR_BOOKING:
        condition &= Q(Exists(_latest_checks().filter(_current_check(kind, on), membership=membership)))
    return condition


def checks_up_to_date(on: date, *, via: str = "") -> "ExpressionWrapper[Q]":
    """As a column of each row: the worker may be booked (rule 3) and none of their checks that
    count has run out. What a "checks up to date" badge shows, for a whole page in one query."""
    membership = OuterRef(via.removesuffix("__") or "pk")
    lapsed = _latest_checks().filter(membership=membership, expires_on__lt=on)
    return ExpressionWrapper(bookable_on(on, via=via) & ~Q(Exists(lapsed)), output_field=BooleanField())


def checks_current_kept(on: date, *, via: str = "") -> "ExpressionWrapper[Q]":
    """checks_up_to_date as each membership keeps it (`checks_current_until`, decision 12): the
    same answer for today and any later day, read from a column instead of worked out from every
    check, for pages that show the badge on many workers at once."""
    kept = Q(**{f"{via}checks_current_until__isnull": False, f"{via}checks_current_until__gte": on})
    return ExpressionWrapper(kept, output_field=BooleanField())


def worker_checks_up_to_date(*, membership: Membership, on: date) -> bool:
    return bool(
        Membership.objects.filter(pk=membership.pk)
        .annotate(current=checks_up_to_date(on))
        .values_list("current", flat=True)
        .first()
    )


def workers_bookable(*, on: date) -> QuerySet[Membership]:
    """Rule 3: the workers who may be booked on this day. One query, for search and booking."""
    return Membership.objects.filter(bookable_on(on))


def worker_is_bookable(*, membership: Membership, on: date) -> bool:
    return workers_bookable(on=on).filter(pk=membership.pk).exists()


def vetting_expiring(*, today: date, within_days: int = 30) -> QuerySet[VettingCheck]:
    """The checks of current workers that expire within the days given, or already have."""
    return (
        _latest_checks()
        .filter(
            expires_on__lte=today + timedelta(days=within_days),
            membership__date_ceased__isnull=True,
            membership__member_class=MemberClass.WORKER,
        )
        .select_related("membership__user", "course", "verified_by")
        .order_by("expires_on", "pk")
    )


def vetting_expiring_for(*, membership: Membership, today: date, within_days: int = 30) -> list[VettingCheck]:
    """The member's own checks that expire within the days given, or already have: what a
    worker's today page warns about, read without going through every worker's checks."""
    return list(
        _latest_checks()
        .filter(membership=membership, expires_on__lte=today + timedelta(days=within_days))
        .select_related("course")
        .order_by("expires_on", "pk")
    )


def vetting_reminders_due(*, today: date) -> QuerySet[VettingCheck]:
    in_30 = Q(
        expires_on__lte=today + timedelta(days=30), reminded_30_at__isnull=True, reminded_7_at__isnull=True
    )
    in_7 = Q(expires_on__lte=today + timedelta(days=7), reminded_7_at__isnull=True)
    return vetting_expiring(today=today).filter(expires_on__gte=today).filter(in_30 | in_7)


def workers_not_bookable(*, on: date) -> QuerySet[Membership]:
    return (
        Membership.objects.current()
        .filter(member_class=MemberClass.WORKER)
        .exclude(pk__in=workers_bookable(on=on).values("pk"))
        .select_related("user")
        .order_by("legal_name")
    )


# --- Circle of support ----------------------------------------------------------------------------


def circle_for_receiver(*, receiver: Membership) -> list[CircleMember]:
    return list(
        receiver.circle.filter(status__in=[CircleMember.Status.INVITED, CircleMember.Status.ACTIVE])
        .select_related("supporter", "invited_by")
        .order_by("status", "email")
    )


def circle_supporters_for(*, receiver_ids: "set[int]", powers: tuple[str, ...]) -> dict[int, list[User]]:
    """For each of these people, the active members of their circle holding any of these powers
    (for example ("can_book", "can_view_care")): one query however many people."""
    any_power = Q()
    for power in powers:
        any_power |= Q(**{power: True})
    found: dict[int, list[User]] = {pk: [] for pk in receiver_ids}
    for circle in (
        CircleMember.objects.filter(
            any_power,
            receiver_id__in=receiver_ids,
            status=CircleMember.Status.ACTIVE,
            supporter__isnull=False,
        )
        .select_related("supporter")
        .order_by("receiver_id", "email")
    ):
        if circle.supporter is not None:  # always, by the filter: for the type checker
            found[circle.receiver_id].append(circle.supporter)
    return found


def supporting_for_user(*, user: User) -> list[CircleMember]:
    """The people this user acts for, and what they may do."""
    return list(
        CircleMember.objects.filter(supporter=user, status=CircleMember.Status.ACTIVE)
        .select_related("receiver__profile")
        .only(*(f.name for f in CircleMember._meta.concrete_fields), *face_fields("receiver"))
        .order_by("receiver__legal_name")
    )


def member_or_supporter(*, user: User | AnonymousUser) -> bool:
    """A member of the co-op now, or someone acting for one in their circle of support: whose
    home, when they log in, is their day (today's page) rather than the way to join."""
    if not user.is_authenticated:
        return False
    return (
        membership_current_for_user(user=user) is not None
        or CircleMember.objects.filter(supporter=user, status=CircleMember.Status.ACTIVE).exists()
    )


def circle_member_get_for_user(*, user: User, pk: int) -> CircleMember:
    """A place in a circle the user may change (their own circle, or any for staff); else 404."""
    member = CircleMember.objects.select_related("receiver").filter(pk=pk).first()
    if member is None or not (user.is_staff or member.receiver.user_id == user.pk):
        raise Http404
    return member


def circle_power(*, user: User | AnonymousUser, receiver: Membership, power: str) -> bool:
    """Whether someone in the person's circle has this power (can_view_care, can_book,
    can_manage_team) now."""
    if not user.is_authenticated:
        return False
    return CircleMember.objects.filter(
        receiver=receiver, supporter=user, status=CircleMember.Status.ACTIVE, **{power: True}
    ).exists()


def circle_places_among(*, user: User | AnonymousUser, receiver_ids: Iterable[int]) -> list[CircleMember]:
    """The user's places now in the circles of these people, with the powers each gave: one
    query for a list of people (circle_power asks about one)."""
    if not user.is_authenticated:
        return []
    return list(
        CircleMember.objects.filter(
            receiver_id__in=list(receiver_ids), supporter=user, status=CircleMember.Status.ACTIVE
        ).only("receiver_id", "can_view_care", "can_book", "can_manage_team")
    )


def user_has_verified_email(*, user: User, email: str) -> bool:
    return bool(EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists())


def phones_for(*, memberships: list[Membership]) -> dict[int, str]:
    """Phone numbers given when applying, by membership id, in national form (for a team page:
    shown only to people who have agreed to work together)."""
    phones = (
        Application.objects.filter(membership__in=memberships)
        .exclude(phone="")
        .values_list("membership", "phone")
    )
    result: dict[int, str] = {}
    for membership_id, phone in phones:
        result[membership_id] = phone.as_national if hasattr(phone, "as_national") else str(phone)
    return result


def emergency_contact_for(*, membership: Membership) -> EmergencyContact | None:
    """The person's emergency contact, if they gave one (callers decide who may see it)."""
    return EmergencyContact.objects.filter(membership=membership).first()


def phone_national(phone: object) -> str:
    """A phone number as dialled in the UK ("01422 123456"), whatever form it is kept in."""
    return str(phone.as_national) if hasattr(phone, "as_national") else str(phone)


def personal_data_for(*, user: User) -> list[Section]:
    """Everything this app holds about the user (their account, memberships, share capital,
    applications, profiles and weekly times, circles of support on both sides, emergency contact
    and vetting checks), one query a kind."""
    profiles_held = Profile.objects.filter(membership__user=user).prefetch_related(
        "languages", "skills", "support_wanted", "lived_experience"
    )
    names = {
        column: _words_of(column) for column in ("languages", "skills", "support_wanted", "lived_experience")
    }
    mine = Q(membership__user=user)
    return [
        section("account", _("Your account"), User.objects.filter(pk=user.pk)),
        *sections(
            [
                ("email_addresses", _("Your email addresses"), EmailAddress.objects.filter(user=user)),
                (
                    "memberships",
                    _("Your entry in the register of members"),
                    Membership.objects.filter(user=user),
                ),
                (
                    "share_transactions",
                    _("Your shares bought and withdrawn"),
                    ShareTransaction.objects.filter(mine),
                ),
                ("applications", _("Your applications"), Application.objects.filter(user=user)),
            ]
        ),
        section("profiles", _("Your profile"), profiles_held, extra=names),
        *sections(
            [
                (
                    "weekly_times",
                    _("Your weekly times"),
                    WeeklyTime.objects.filter(profile__membership__user=user),
                ),
                (
                    "circle_of_support",
                    _("Circles of support: yours, and those you are in"),
                    CircleMember.objects.filter(Q(receiver__user=user) | Q(supporter=user)),
                ),
                ("emergency_contacts", _("Your emergency contact"), EmergencyContact.objects.filter(mine)),
                ("vetting_checks", _("Your vetting checks"), VettingCheck.objects.filter(mine)),
            ]
        ),
    ]


def _words_of(attribute: str) -> Callable[[Profile], list[str]]:
    """The names of a profile's words from one of its (prefetched) lists."""
    return lambda profile: [word.name for word in getattr(profile, attribute).all()]


# --- The log of staff actions ---------------------------------------------------------------------


def staff_action_list(*, member_number: int | None = None, by_id: int | None = None) -> QuerySet[StaffAction]:
    """The log of staff actions, newest first, for one member (by membership number) and/or one
    staff member. Each entry's people come with it, and the member's names from the register in
    one more query, however long the page."""
    actions = StaffAction.objects.select_related("by", "member").prefetch_related(
        Prefetch("member__memberships", queryset=Membership.objects.order_by("-pk"), to_attr="register_rows")
    )
    if member_number is not None:
        actions = actions.filter(member__memberships__number=member_number)
    if by_id is not None:
        actions = actions.filter(by_id=by_id)
    return actions.order_by("-at", "-pk")


def staff_list() -> QuerySet[User]:
    return User.objects.filter(is_staff=True).order_by("email")
