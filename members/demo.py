"""The demo co-op's members, in Calderdale (see the seed_demo command).

Everything is made through the services, as staff and members would make it, so the demo
shows the register, histories and emails just as real use would. Running it again changes
nothing but resetting the demo passwords and profiles.
"""

import datetime
from dataclasses import dataclass, field
from io import BytesIO

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import encrypt
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from carecoop.models import Email
from members import selectors, services
from members.models import (
    Application,
    CircleMember,
    GoverningDocument,
    Language,
    LivedExperience,
    Membership,
    Skill,
    User,
    VettingCheck,
)

DEMO_PASSWORD = "calder-demo-2026"
# Staff log in with a code from an authenticator app (decision 44). The demo's staff share this
# published secret: add it to any authenticator app, or print the current code with
# `manage.py demo_code`.
DEMO_TOTP_SECRET = "CALDERDEMOCALDERDEMOCALDERDEMO22"
FOUNDED = datetime.date(2025, 1, 6)
DOMAIN = "demo.carecoop.example"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    totp_secret: str = ""


@dataclass
class DemoMember:
    key: str
    name: str
    member_class: str
    postcode: str
    born: datetime.date
    role: str
    address: str
    profile: dict[str, object] = field(default_factory=dict)
    times: list[tuple[int, int, int]] = field(default_factory=list)  # weekday, from hour, until hour
    investment_pence: int | None = None
    phone: str = ""

    @property
    def email(self) -> str:
        return f"{self.key}@{DOMAIN}"


RULES = """These are the rules of Calder Valley Care Co-op, a multi-stakeholder co-operative society.

1. The co-op exists to arrange good care and support in Calderdale, owned and run by the people who get it and the people who give it.
2. Members are people getting support, their family, friends and advocates, care and support workers, and investors. Each holds at least one £1 share, which can be withdrawn but not transferred.
3. Each member has one vote. Investors together hold no more than a tenth of the votes.
4. The board has five members getting support or their advocates, five workers and two investors.
5. An ordinary resolution passes with more than half of the votes cast; a special resolution with at least three quarters.
6. What the co-op does not need is shared as dividends, by the hours each member worked or received."""

COMMITMENT = """As a member of Calder Valley Care Co-op I will:

- treat everyone in the co-op with respect, and keep private what I learn about others;
- choose and be chosen freely, and never pressure anyone into an introduction;
- do what I say I will do, and tell my team early when I cannot;
- take part in how the co-op is run, by voting and by saying what I think."""

STAFF = [("secretary", "Staff: the co-op's secretary")]

MEMBERS = [
    DemoMember(
        "ruth",
        "Ruth Sutcliffe",
        "receiver",
        "HX7 8AH",
        datetime.date(1941, 5, 2),
        "Person getting support (Hebden Bridge)",
        "14 Albert Street\nHebden Bridge",
        profile={
            "display_name": "Ruth",
            "bio": "Retired teacher. I have lived in Hebden Bridge all my life.",
            "what_matters": "Staying in my own home, my garden, and getting to chapel on Sundays.",
            "worker_preferences": "Someone patient who will have a cup of tea with me.",
            "support_wanted": ["Dementia", "Companionship", "Medication support"],
            "interests": "gardening, hymns, local history",
            "max_distance_km": 10,
        },
        times=[(0, 9, 11), (2, 9, 11), (4, 9, 11), (6, 9, 12)],
        phone="01422 842137",
    ),
    DemoMember(
        "arthur",
        "Arthur Greenwood",
        "receiver",
        "OL14 5AB",
        datetime.date(1949, 9, 14),
        "Person getting support (Todmorden)",
        "3 Rochdale Road\nTodmorden",
        profile={
            "display_name": "Arthur",
            "what_matters": "Getting to the hospital and the shops, and keeping my independence after my stroke.",
            "support_wanted": ["Personal care", "Driving", "Shopping and errands"],
            "interests": "football, brass bands",
        },
        times=[(1, 8, 10), (3, 8, 10), (5, 10, 13)],
    ),
    DemoMember(
        "samina",
        "Samina Akhtar",
        "receiver",
        "HX1 5EX",
        datetime.date(1981, 2, 27),
        "Person getting support (Halifax)",
        "22 Hopwood Lane\nHalifax",
        profile={
            "display_name": "Samina",
            "what_matters": "Cooking for my family again, and being able to go to work two days a week.",
            "support_wanted": ["Personal care", "Physical disability", "Cooking"],
            "worker_preferences": "A woman, ideally someone who speaks Urdu or Punjabi.",
            "languages": ["Urdu", "Punjabi", "English"],
        },
        times=[(0, 7, 9), (1, 7, 9), (2, 7, 9), (3, 7, 9), (4, 7, 9)],
    ),
    DemoMember(
        "daniel",
        "Daniel Whitaker",
        "receiver",
        "HX2 0AA",
        datetime.date(1997, 7, 3),
        "Person getting support (Halifax)",
        "9 Moorside\nHalifax",
        profile={
            "display_name": "Dan",
            "what_matters": "Going to the match, the gym, and my job at the café.",
            "support_wanted": ["Learning disability", "Getting out and about"],
            "interests": "Halifax Town, gym, cooking",
        },
        times=[(5, 12, 17)],
    ),
    DemoMember(
        "jane",
        "Jane Sutcliffe",
        "advocate",
        "HX7 6AA",
        datetime.date(1968, 11, 19),
        "Advocate: Ruth's daughter, in her circle of support",
        "1 Heptonstall Road\nHebden Bridge",
        profile={"display_name": "Jane", "bio": "Ruth's daughter."},
    ),
    DemoMember(
        "asha",
        "Asha Begum",
        "worker",
        "HX1 2TT",
        datetime.date(1988, 4, 9),
        "Worker (Halifax)",
        "5 King Cross Road\nHalifax",
        profile={
            "display_name": "Asha",
            "bio": "Eight years in care, the last three in people's own homes.",
            "skills": ["Personal care", "Medication support", "Cooking", "Physical disability"],
            "languages": ["English", "Urdu", "Punjabi"],
            "hourly_rate_pence": 15_50,
            "travel_radius_km": 8,
            "gender": "woman",
        },
        times=[(0, 7, 13), (1, 7, 13), (2, 7, 13), (3, 7, 13), (4, 7, 13)],
    ),
    DemoMember(
        "tom",
        "Tom Ackroyd",
        "worker",
        "OL14 6AB",
        datetime.date(1972, 1, 22),
        "Worker (Todmorden; DBS check expires soon)",
        "12 Burnley Road\nTodmorden",
        profile={
            "display_name": "Tom",
            "bio": "Former bus driver. I like to get people out and about.",
            "skills": ["Driving", "Companionship", "Getting out and about", "Shopping and errands"],
            "languages": ["English"],
            "hourly_rate_pence": 14_00,
            "travel_radius_km": 15,
            "gender": "man",
            "interests": "football, brass bands, fishing",
        },
        times=[(1, 8, 16), (3, 8, 16), (5, 9, 14)],
    ),
    DemoMember(
        "megan",
        "Megan Holt",
        "worker",
        "HX7 8BQ",
        datetime.date(1990, 6, 30),
        "Worker (Hebden Bridge)",
        "7 Valley Road\nHebden Bridge",
        profile={
            "display_name": "Megan",
            "bio": "Dementia specialist, trained at the Alzheimer's Society.",
            "skills": ["Dementia", "Personal care", "End of life care", "Companionship"],
            "languages": ["English", "Welsh"],
            "hourly_rate_pence": 16_80,
            "sleep_in_rate_pence": 65_00,
            "travel_radius_km": 10,
            "gender": "woman",
            "interests": "gardening, singing",
        },
        times=[(0, 8, 12), (2, 8, 12), (4, 8, 12), (6, 9, 13)],
    ),
    DemoMember(
        "pawel",
        "Paweł Nowak",
        "worker",
        "HX6 2AA",
        datetime.date(1985, 3, 12),
        "Worker (Sowerby Bridge)",
        "40 Wharf Street\nSowerby Bridge",
        profile={
            "display_name": "Paweł",
            "skills": ["Housework", "Cooking", "Shopping and errands"],
            "languages": ["Polish", "English"],
            "hourly_rate_pence": 13_50,
            "travel_radius_km": 12,
        },
        times=[(0, 9, 17), (1, 9, 17), (2, 9, 17)],
    ),
    DemoMember(
        "grace",
        "Grace Mitchell",
        "worker",
        "HX3 9AA",
        datetime.date(1994, 10, 5),
        "Worker (Halifax)",
        "18 Shibden Road\nHalifax",
        profile={
            "display_name": "Grace",
            "skills": ["Mental health", "Learning disability", "Getting out and about"],
            "languages": ["English"],
            "hourly_rate_pence": 15_00,
            "travel_radius_km": 10,
            "interests": "gym, films",
            "offers_peer_support": True,
            "lived_experience": ["Mental health"],
        },
        times=[(3, 10, 18), (4, 10, 18), (5, 10, 18)],
    ),
    DemoMember(
        "liam",
        "Liam Brennan",
        "worker",
        "HX7 5AD",
        datetime.date(1979, 8, 17),
        "Worker (Hebden Bridge)",
        "2 Mytholm Close\nHebden Bridge",
        profile={
            "display_name": "Liam",
            "skills": ["Sleep-in nights", "Personal care", "Dementia"],
            "languages": ["English"],
            "hourly_rate_pence": 14_50,
            "sleep_in_rate_pence": 58_00,
            "travel_radius_km": 20,
            "offers_peer_support": True,
            "lived_experience": ["Caring for a family member", "Dementia in the family"],
        },
        times=[(0, 20, 23), (1, 20, 23), (2, 20, 23), (3, 20, 23)],
    ),
    DemoMember(
        "fatima",
        "Fatima Hussain",
        "worker",
        "HX1 4LP",
        datetime.date(1992, 12, 1),
        "Worker (Halifax)",
        "31 Gibbet Street\nHalifax",
        profile={
            "display_name": "Fatima",
            "skills": ["Autism", "Learning disability", "Personal care"],
            "languages": ["English", "Arabic", "Urdu"],
            "hourly_rate_pence": 15_20,
            "travel_radius_km": 6,
            "gender": "woman",
        },
        times=[(0, 14, 20), (2, 14, 20), (4, 14, 20)],
    ),
    DemoMember(
        "joe",
        "Joe Sunderland",
        "worker",
        "OL14 7DD",
        datetime.date(1966, 4, 24),
        "Worker (Todmorden)",
        "6 Halifax Road\nTodmorden",
        profile={
            "display_name": "Joe",
            "skills": ["Companionship", "Driving", "Shopping and errands"],
            "languages": ["English"],
            "hourly_rate_pence": 13_00,
            "travel_radius_km": 25,
            "interests": "allotment, walking, history",
        },
        times=[(1, 9, 15), (2, 9, 15), (4, 9, 15)],
    ),
    DemoMember(
        "margaret",
        "Margaret Fielden",
        "investor",
        "HX7 8DE",
        datetime.date(1958, 1, 15),
        "Investor (£500 of shares)",
        "The Old Mill\nHebden Bridge",
        investment_pence=500_00,
        profile={"display_name": "Margaret"},
    ),
    DemoMember(
        "david",
        "David Lord",
        "investor",
        "HX3 0AB",
        datetime.date(1963, 7, 7),
        "Investor (£1,000 of shares)",
        "4 Northowram Green\nHalifax",
        investment_pence=1_000_00,
        profile={"display_name": "David"},
    ),
]

NAMED_VOCABULARIES: dict[str, type[Skill] | type[Language] | type[LivedExperience]] = {
    "skills": Skill,
    "support_wanted": Skill,
    "languages": Language,
    "lived_experience": LivedExperience,
}


def _account(email: str, *, is_staff: bool = False) -> User:
    """Create the demo account, or put it back as it was: its email (someone trying the demo may
    have changed it), its password and its rights."""
    user = User.objects.filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email)).first()
    if user is None:
        return services.user_create(
            email=email, password=DEMO_PASSWORD, is_staff=is_staff, email_verified=True
        )
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
    )
    user.email, user.is_staff, user.is_active = email, is_staff, True
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["email", "is_staff", "is_active", "password"])
    return user


def _authenticator_app(user: User) -> None:
    """The demo's staff have an authenticator app set up with the published secret (put back
    if someone trying the demo turned it off or set up their own)."""
    current = Authenticator.objects.filter(user=user)
    app = current.filter(type=Authenticator.Type.TOTP).first()
    if app is not None and app.data.get("secret") == encrypt(DEMO_TOTP_SECRET) and current.count() == 1:
        return
    current.delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)


def _documents(staff: User) -> tuple[GoverningDocument, GoverningDocument]:
    current = selectors.documents_current()
    rules = current.get(GoverningDocument.Kind.RULES) or services.document_publish(
        kind=GoverningDocument.Kind.RULES, title="Rules of Calder Valley Care Co-op", body=RULES, by=staff
    )
    commitment = current.get(GoverningDocument.Kind.COMMITMENT) or services.document_publish(
        kind=GoverningDocument.Kind.COMMITMENT, title="Members' Commitment", body=COMMITMENT, by=staff
    )
    return rules, commitment


def _admit(
    demo: DemoMember, user: User, staff: User, documents: tuple[GoverningDocument, GoverningDocument]
) -> Membership:
    membership = selectors.membership_current_for_user(user=user)
    if membership is not None:
        return membership
    application = selectors.application_open_for_user(user=user) or services.application_submit(
        user=user,
        member_class=demo.member_class,
        legal_name=demo.name,
        address=demo.address,
        postcode=demo.postcode,
        date_of_birth=demo.born,
        reason="To be part of a co-op that does care properly.",
        rules=documents[0],
        commitment=documents[1],
        investment_pence=demo.investment_pence,
        phone=demo.phone,
    )
    # The co-op began in January 2025; members joined over the months since.
    admitted_on = FOUNDED + datetime.timedelta(days=23 * MEMBERS.index(demo))
    # They were told of their application when they applied, months ago: not again today.
    Email.objects.filter(
        about=f"members.application:{application.pk}",
        kind="members.application_received",
        status=Email.Status.OWED,
    ).update(status=Email.Status.SENT, sent_at=timezone.now(), context={})
    if not application.is_paid:
        services.application_record_payment(
            application=application,
            reference=f"DEMO {application.reference}",
            paid_on=admitted_on - datetime.timedelta(days=3),
            amount_pence=application.amount_due_pence,
            by=staff,
        )
    return services.application_approve(application=application, by=staff, admitted_on=admitted_on)


def _profile(demo: DemoMember, membership: Membership) -> None:
    changes = dict(demo.profile)
    for name, model in NAMED_VOCABULARIES.items():
        if name in changes:
            changes[name] = list(model.objects.filter(name__in=changes[name]))
    changes["postcode"] = demo.postcode
    profile = services.profile_get_or_create(membership=membership)
    kind_times = [(day, datetime.time(start), datetime.time(end)) for day, start, end in demo.times]
    services.profile_save(
        profile=profile,
        by=membership.user,
        changes=changes,
        weekly_times=kind_times if demo.member_class in ("worker", "receiver") else None,
    )


# Workers shown with a photo in the demo (the others show their initials): a drawn portrait,
# made here so that the demo carries no photographs of real people. Background, skin, hair.
PORTRAITS: dict[str, tuple[str, str, str]] = {
    "asha": ("#cfe3dc", "#8d5a3b", "#1f1a17"),
    "megan": ("#e8dcc8", "#f0c9a8", "#a0522d"),
    "tom": ("#d6dcea", "#e6b996", "#8a8a8a"),
}


def _portrait(background: str, skin: str, hair: str) -> BytesIO:
    """A small head-and-shoulders drawing, as a JPEG the profile service accepts."""
    image = Image.new("RGB", (240, 240), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 160, 200, 320), fill="#3d6b5e")  # shoulders
    draw.rectangle((105, 135, 135, 170), fill=skin)  # neck
    draw.ellipse((68, 40, 172, 104), fill=hair)  # hair, behind
    draw.ellipse((76, 52, 164, 152), fill=skin)  # face
    draw.chord((70, 38, 170, 110), 180, 360, fill=hair)  # hair, on top
    draw.ellipse((100, 92, 108, 100), fill="#2b2b2b")
    draw.ellipse((132, 92, 140, 100), fill="#2b2b2b")
    draw.arc((104, 108, 136, 130), 20, 160, fill="#7a3b2e", width=3)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    buffer.seek(0)
    return buffer


def _photo(key: str, membership: Membership) -> None:
    colours = PORTRAITS.get(key)
    profile = selectors.profile_get_for_membership(membership=membership)
    if colours is None or profile is None or profile.photo:
        return
    upload = _portrait(*colours)
    services.profile_photo_set(
        profile=profile, by=membership.user, upload=upload, size=len(upload.getvalue())
    )


def _vetting(key: str, membership: Membership, staff: User) -> None:
    if membership.vetting_checks.exists():
        return
    today = timezone.localdate()
    # Tom's certificate stops counting in three weeks: the dashboard and reminders show it.
    dbs_issued = (
        today - relativedelta(months=36) + datetime.timedelta(days=21)
        if key == "tom"
        else today - relativedelta(months=10)
    )
    services.vetting_check_record(
        membership=membership,
        by=staff,
        kind=VettingCheck.Kind.DBS,
        issued_on=dbs_issued,
        certificate_number=f"00{membership.number:010d}",
        dbs_level=VettingCheck.DbsLevel.ENHANCED_BARRED,
    )
    services.vetting_check_record(
        membership=membership,
        by=staff,
        kind=VettingCheck.Kind.RIGHT_TO_WORK,
        issued_on=today - relativedelta(months=11),
        document="Share code (time-limited)" if key == "pawel" else "British passport",
        expires_on=today + relativedelta(years=2) if key == "pawel" else None,
    )
    for referee in ("Previous employer", "Personal referee"):
        services.vetting_check_record(
            membership=membership,
            by=staff,
            kind=VettingCheck.Kind.REFERENCE,
            issued_on=today - relativedelta(months=11),
            referee_name=referee,
            satisfactory=True,
        )


def _circle(ruth: Membership, jane: User, name: str) -> None:
    if CircleMember.objects.filter(receiver=ruth, supporter=jane, status=CircleMember.Status.ACTIVE).exists():
        return
    invitation = services.circle_invite(
        receiver=ruth, by=ruth.user, email=jane.email, name=name, can_view_care=True, can_book=True
    )
    # Jane follows the link in the email she is owed (and, having accepted, is not sent it).
    owed = Email.objects.get(about=f"members.circle_invitation:{invitation.pk}", status=Email.Status.OWED)
    services.circle_accept(token=owed.context["token"], user=jane)
    owed.status, owed.context = Email.Status.CANCELLED, {}
    owed.save(update_fields=["status", "context"])


@transaction.atomic
def seed() -> list[DemoLogin]:
    logins = []
    staff_users = []
    for key, role in STAFF:
        user = _account(f"{key}@{DOMAIN}", is_staff=True)
        _authenticator_app(user)
        staff_users.append(user)
        logins.append(
            DemoLogin(role=role, email=user.email, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
        )
    staff = staff_users[0]
    documents = _documents(staff)

    memberships: dict[str, Membership] = {}
    for demo in MEMBERS:
        user = _account(demo.email)
        membership = _admit(demo, user, staff, documents)
        memberships[demo.key] = membership
        _profile(demo, membership)
        _photo(demo.key, membership)
        if demo.member_class == "worker":
            _vetting(demo.key, membership, staff)
        logins.append(DemoLogin(role=demo.role, email=demo.email, password=DEMO_PASSWORD))
    _circle(memberships["ruth"], memberships["jane"].user, memberships["jane"].legal_name)
    # The worker at Ruth's door sees whom to call if something happens: her daughter.
    if selectors.emergency_contact_for(membership=memberships["ruth"]) is None:
        services.emergency_contact_save(
            membership=memberships["ruth"],
            by=memberships["ruth"].user,
            name="Jane Sutcliffe",
            relationship="Daughter",
            phone="07723 418560",
        )

    applicant = _account(f"kirsty@{DOMAIN}")
    if not Application.objects.filter(user=applicant).exists():
        services.application_submit(
            user=applicant,
            member_class="worker",
            legal_name="Kirsty Ward",
            address="8 Lee Mill Road\nHebden Bridge",
            postcode="HX7 8LJ",
            date_of_birth=datetime.date(1999, 2, 14),
            reason="I have cared for my nan for years and want to do it as my job.",
            rules=documents[0],
            commitment=documents[1],
        )
    logins.append(
        DemoLogin(role="Applicant waiting for a decision", email=applicant.email, password=DEMO_PASSWORD)
    )
    newcomer = _account(f"newcomer@{DOMAIN}")
    logins.append(DemoLogin(role="Signed up, not yet a member", email=newcomer.email, password=DEMO_PASSWORD))
    services.workers_bookable_refresh_all()
    return logins
