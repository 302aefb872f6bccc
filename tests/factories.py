import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from members.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    """An account whose email is verified, unless `email_verified=False`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def email_verified(obj: User, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create:
            verified = True if extracted is None else extracted
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=verified)


class GoverningDocumentFactory(DjangoModelFactory):
    class Meta:
        model = "members.GoverningDocument"

    kind = "rules"
    version = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: "Rules" if o.kind == "rules" else "Members' Commitment")
    body = "Members own the co-op together."


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = "members.Application"

    user = factory.SubFactory(UserFactory)
    member_class = "receiver"
    legal_name = factory.Faker("name", locale="en_GB")
    address = "1 Market Street\nHebden Bridge"
    postcode = "HX7 8AD"
    date_of_birth = datetime.date(1960, 5, 17)
    reason = "To choose my own workers."
    rules = factory.LazyFunction(lambda: _current_document("rules"))
    commitment = factory.LazyFunction(lambda: _current_document("commitment"))
    shares = 1
    share_value_pence = 100


def _current_document(kind: str):
    from members.models import GoverningDocument

    document = GoverningDocument.objects.filter(kind=kind).order_by("-version").first()
    return document or GoverningDocumentFactory(kind=kind)


class MembershipFactory(DjangoModelFactory):
    """An admitted member holding one paid £1 share."""

    class Meta:
        model = "members.Membership"
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: 1000 + n)
    user = factory.SubFactory(UserFactory)
    member_class = "receiver"
    legal_name = factory.Faker("name", locale="en_GB")
    address = "2 Bridge Gate\nHebden Bridge"
    postcode = "HX7 8EX"
    # About two years a member, counted from today (the frozen day, where a test freezes one).
    date_admitted = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=2 * 365))

    @factory.post_generation
    def shares(obj, create: bool, extracted: int | None, **kwargs: object) -> None:
        if create and extracted != 0:
            from members.models import ShareTransaction

            count = extracted or 1
            ShareTransaction.objects.create(
                membership=obj,
                kind="subscription",
                shares=count,
                amount_pence=count * 100,
                date=obj.date_admitted,
                reference="FACTORY",
            )


def admitted(staff, born: datetime.date, member_class: str = "receiver"):
    """A member admitted through the service, on an application paid today."""
    from django.utils import timezone

    from members import services

    application = ApplicationFactory(
        member_class=member_class,
        date_of_birth=born,
        payment_date=timezone.localdate(),
        payment_amount_pence=100,
        payment_recorded_at=timezone.now(),
    )
    return services.application_approve(application=application, by=staff)


# --- Vetting ------------------------------------------------------------------------------------


def _checked_recently() -> datetime.date:
    # About ten months ago: current for a good while yet (a DBS certificate counts for three years).
    return timezone.localdate() - datetime.timedelta(days=300)


def record_dbs(worker, staff, issued_on=None, **extra):
    """An enhanced DBS check (with barred lists) recorded by staff, issued about ten months ago
    unless `issued_on` is given."""
    from members import services

    issued_on = issued_on or _checked_recently()

    extra.setdefault("dbs_level", "enhanced_barred")
    return services.vetting_check_record(
        membership=worker,
        by=staff,
        kind="dbs",
        issued_on=issued_on,
        certificate_number="0012 3456 7890",
        **extra,
    )


def record_right_to_work(worker, staff, issued_on=None, expires_on=None):
    """A right-to-work check seen about ten months ago, unless `issued_on` is given."""
    from members import services

    issued_on = issued_on or _checked_recently()

    return services.vetting_check_record(
        membership=worker,
        by=staff,
        kind="right_to_work",
        issued_on=issued_on,
        expires_on=expires_on,
        document="British passport",
    )


def make_bookable(worker, staff):
    """Record the checks a worker needs before they can be booked (DESIGN rule 3)."""
    record_dbs(worker, staff)
    record_right_to_work(worker, staff)
    return worker


# --- Visits, meetings and ballots -----------------------------------------------------------------
# Rows as the services leave them, for tests about reading, showing and counting them. A test about
# the rules of booking, calling or voting goes through the service instead.


def _in_days(days: int, hour: int = 10) -> datetime.datetime:
    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class VisitFactory(DjangoModelFactory):
    """A visit offered to a worker, from tomorrow at 10:00 for an hour (each next one two hours
    later, so a worker's accepted visits never overlap); `status="accepted"` for one they took."""

    class Meta:
        model = "scheduling.Visit"

    receiver = factory.SubFactory(MembershipFactory, member_class="receiver")
    worker = factory.SubFactory(MembershipFactory, member_class="worker")
    starts = factory.LazyAttributeSequence(lambda _o, n: _in_days(1) + datetime.timedelta(hours=2 * n))
    ends = factory.LazyAttribute(lambda o: o.starts + datetime.timedelta(hours=1))
    booked_by = factory.LazyAttribute(lambda o: o.receiver.user)
    offer_expires_at = factory.LazyAttribute(lambda o: o.starts - datetime.timedelta(hours=12))
    tasks = factory.LazyFunction(lambda: [{"label": "Breakfast", "done": False}])


class MeetingFactory(DjangoModelFactory):
    """A general meeting three weeks ahead at Hebden Bridge Town Hall, called by staff."""

    class Meta:
        model = "governance.Meeting"

    kind = "general"
    title = "General meeting"
    format = "in_person"
    place = "Hebden Bridge Town Hall, St George's Street, HX7 7BY"
    agenda = "1. Apologies\n2. Minutes of the last meeting\n3. Any other business"
    starts_at = factory.LazyFunction(lambda: _in_days(21, hour=18))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    called_by = factory.SubFactory(UserFactory, is_staff=True)


class BallotFactory(DjangoModelFactory):
    """A draft online election for one workers' seat, open from tomorrow for a week; staff open it
    with governance.services.ballot_open (which fixes who may vote)."""

    class Meta:
        model = "governance.Ballot"

    title = "Board: a workers' seat"
    kind = "election"
    seat_class = "workers"
    seats = 1
    opens_at = factory.LazyFunction(lambda: _in_days(1))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + datetime.timedelta(days=7))
    created_by = factory.SubFactory(UserFactory, is_staff=True)


def visit_booked(receiver, worker, starts, ends, *, by=None, accepted=False, **extra):
    """A visit booked through the service, by the person unless `by` says who; accepted by its
    worker when `accepted`. For tests about what follows a booking, not about booking itself."""
    from scheduling import services

    visit = services.visit_book(
        by=by or receiver.user, receiver=receiver, worker=worker, starts=starts, ends=ends, **extra
    ).visits[0]
    return services.visit_accept(visit=visit, by=worker.user) if accepted else visit


def in_team(receiver, worker):
    """A worker confirmed in the person's team (their trial over two months ago)."""
    from django.utils import timezone

    from matching.models import TeamMember

    return TeamMember.objects.create(
        receiver=receiver,
        member=worker,
        role=TeamMember.Role.WORKER,
        status=TeamMember.Status.CONFIRMED,
        trial_ends_on=timezone.localdate() - datetime.timedelta(days=60),
    )


def add_worker(staff, name, email, *, team_of=None, rate=15_00, night=None, display_name=None):
    """A bookable worker near Hebden Bridge (HX7 8BQ), free on weekdays 08:00 to 18:00, in the
    team of `team_of` if given, at `rate` an hour (and `night` for a sleep-in, if given). They are
    shown by their first name unless `display_name` says."""
    from members import services

    worker = make_bookable(
        MembershipFactory(member_class="worker", legal_name=name, user__email=email), staff
    )
    services.profile_save(
        profile=services.profile_get_or_create(membership=worker),
        by=worker.user,
        changes={
            "postcode": "HX7 8BQ",
            "display_name": display_name or name.split()[0],
            "hourly_rate_pence": rate,
            "sleep_in_rate_pence": night,
        },
        weekly_times=[(day, datetime.time(8), datetime.time(18)) for day in range(5)],
    )
    if team_of is not None:
        in_team(team_of, worker)
    return worker


def with_photo(membership, name=None):
    """A photo file on the member's profile (a few bytes, not an image: pages only link to it)."""
    from django.core.files.base import ContentFile

    membership.profile.photo.save(name or f"{membership.number}.jpg", ContentFile(b"\xff\xd8\xff"))


def ruth_at_home():
    """Ruth Sutcliffe: gets support at home in HX7, wants help with dementia and company, speaks
    Welsh, free on Tuesday and Thursday mornings, and looks for workers within 15 km."""
    from members import services as member_services
    from members.models import Language, Skill

    ruth = MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        changes={
            "display_name": "Ruth",
            "postcode": "HX7 8AH",
            "support_wanted": list(Skill.objects.filter(name__in=["Dementia", "Companionship"])),
            "languages": list(Language.objects.filter(name="Welsh")),
            "max_distance_km": 15,
            "what_matters": "My garden.",
        },
        weekly_times=[(1, datetime.time(9), datetime.time(11)), (3, datetime.time(9), datetime.time(11))],
    )
    return ruth


def in_circle(receiver, supporter, *, manages_team=False):
    """`supporter` in `receiver`'s circle of support, the invitation accepted, with the power to
    see care and to book (and to run the team, when `manages_team`)."""
    from members.models import CircleMember

    return CircleMember.objects.create(
        receiver=receiver,
        supporter=supporter,
        email=supporter.email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=True,
        can_book=True,
        can_manage_team=manages_team,
        token_hash=f"{receiver.pk}-{supporter.pk}",
        invited_by=receiver.user,
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )
