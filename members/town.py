"""The members of the town-size co-op (carecoop.town, `manage.py seed_town`): the register,
shares, vetting, profiles in Calderdale and circles of support, inserted in bulk."""

import hashlib
from collections.abc import Callable
from datetime import timedelta

from carecoop.town import TOWN_DOMAIN, TOWN_PASSWORD, TOWN_PERSONAS, Town
from members.benchmarking import NewMember, Place, memberships_seed_in_bulk, profiles_seed_in_bulk
from members.geo import outward_code
from members.models import CircleMember, MemberClass, Membership, PostcodeDistrict, User

FIRST_NAMES = [
    "Aisha", "Alan", "Amir", "Anne", "Barbara", "Ben", "Bilal", "Brenda", "Carol", "Chloe", "Colin",
    "Daniel", "David", "Dorothy", "Eileen", "Ella", "Emma", "Fatima", "Frank", "Gareth", "Grace",
    "Hannah", "Harry", "Imran", "Irene", "Jack", "Jean", "Joan", "Josh", "Kate", "Keith", "Laura",
    "Leon", "Lily", "Margaret", "Mark", "Maryam", "Megan", "Michael", "Nadia", "Neil", "Olivia",
    "Omar", "Pat", "Paul", "Priya", "Rachel", "Ravi", "Rosie", "Ruth", "Sam", "Sarah", "Shabana",
    "Stan", "Susan", "Tariq", "Tom", "Val", "Wendy", "Yusuf", "Zainab", "Zofia",
]  # fmt: skip
SURNAMES = [
    "Ackroyd", "Ahmed", "Akhtar", "Barker", "Bentley", "Bibi", "Brennan", "Brook", "Butterworth",
    "Crabtree", "Crossley", "Dawson", "Fielden", "Firth", "Gibson", "Greenwood", "Haigh", "Hartley",
    "Holroyd", "Holt", "Hussain", "Iqbal", "Jagger", "Khan", "Kowalski", "Lord", "Marsden", "Mitchell",
    "Nowak", "Patel", "Pickles", "Rahman", "Redman", "Riley", "Shackleton", "Stansfield", "Sunderland",
    "Sutcliffe", "Taylor", "Thomas", "Uttley", "Walsh", "Whiteley", "Wood", "Wright",
]  # fmt: skip
# Towns of Calderdale, their postcode districts and streets, and how many of the co-op's members
# live in each (Halifax most).
PLACES = [
    ("Halifax", "HX1", ["King Cross Road", "Gibbet Street", "Hopwood Lane", "Crossley Street"], 4),
    ("Halifax", "HX2", ["Ovenden Road", "Keighley Road", "Moor End Road", "Highroad Well"], 3),
    ("Halifax", "HX3", ["Boothtown Road", "Southowram Bank", "Shibden Hall Road"], 3),
    ("Elland", "HX5", ["Southgate", "Huddersfield Road", "Victoria Road"], 1),
    ("Sowerby Bridge", "HX6", ["Wharf Street", "Tuel Lane", "Bolton Brow"], 2),
    ("Hebden Bridge", "HX7", ["Albert Street", "Market Street", "Birchcliffe Road", "Heptonstall Road"], 3),
    ("Todmorden", "OL14", ["Rochdale Road", "Burnley Road", "Halifax Road", "Hall Street"], 2),
]
# The personas live in Hebden Bridge, near each other, with names nobody else in the town has.
PERSONA_ROWS = {
    "worker": ("Bethany Holroyd", "7 Market Street\nHebden Bridge", "HX7 6AA"),
    "person": ("Edith Crossley", "14 Albert Street\nHebden Bridge", "HX7 8AH"),
    "advocate": ("Jane Crossley", "2 Birchcliffe Road\nHebden Bridge", "HX7 8BQ"),
    "investor": ("Peter Fielden", "31 Heptonstall Road\nHebden Bridge", "HX7 6AZ"),
}
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def seed_members(town: Town) -> str:
    """The register: users who can log in, memberships numbered in order with their history,
    shares (investors more), and workers' current checks, verified by the staff secretary.
    Each class in turn, its persona first."""
    size, rng, today = town.size, town.rng, town.today
    staff = User.objects.create_user(email=TOWN_PERSONAS["staff"], password=TOWN_PASSWORD, is_staff=True)
    town.staff_user = staff.pk
    weights = [place[3] for place in PLACES]
    rows: list[NewMember] = []
    for member_class, count, persona in (
        (MemberClass.WORKER, size.workers, "worker"),
        (MemberClass.RECEIVER, size.receivers, "person"),
        (MemberClass.ADVOCATE, size.advocates, "advocate"),
        (MemberClass.INVESTOR, size.investors, "investor"),
    ):
        for i in range(count):
            town_name, district, streets, _weight = rng.choices(PLACES, weights)[0]
            legal_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            address = f"{rng.randint(1, 120)} {rng.choice(streets)}\n{town_name}"
            postcode = f"{district} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
            email = f"{member_class}{i}@{TOWN_DOMAIN}"
            # Founded nearly three years ago; the personas among the first to join.
            admitted = today - timedelta(days=rng.randint(30, 1000))
            if i == 0:
                legal_name, address, postcode = PERSONA_ROWS[persona]
                email, admitted = TOWN_PERSONAS[persona], today - timedelta(days=1000)
            shares = rng.randrange(100, 5001, 50) if member_class == MemberClass.INVESTOR else 1
            rows.append(NewMember(email, member_class, legal_name, address, postcode, admitted, shares))
    memberships = memberships_seed_in_bulk(
        rows=rows, checked_days_ago=400, password=TOWN_PASSWORD, verified_by=staff, with_history=True
    )
    by_class: dict[str, list[int]] = {c: [] for c in MemberClass.values}
    for m in memberships:
        by_class[m.member_class].append(m.pk)
    town.workers, town.receivers = by_class[MemberClass.WORKER], by_class[MemberClass.RECEIVER]
    town.advocates, town.investors = by_class[MemberClass.ADVOCATE], by_class[MemberClass.INVESTOR]
    town.persona_members = {
        "worker": town.workers[0],
        "person": town.receivers[0],
        "advocate": town.advocates[0],
        "investor": town.investors[0],
    }
    user_ids = dict(User.objects.filter(email__in=TOWN_PERSONAS.values()).values_list("email", "pk"))
    town.persona_users = {key: user_ids[email] for key, email in TOWN_PERSONAS.items()}
    return (
        f"{len(memberships):,} members: {size.workers:,} workers, {size.receivers:,} people getting "
        f"support, {size.advocates:,} advocates, {size.investors:,} investors"
    )


def seed_profiles(town: Town) -> str:
    """A profile for each member, at a point in their postcode district, with a first name shown."""
    rng = town.rng
    districts = {d.outward_code: d for d in PostcodeDistrict.objects.all()}
    memberships = list(Membership.objects.filter(pk__in=town.everyone).order_by("number"))
    places = []
    for m in memberships:
        centre = districts[outward_code(m.postcode)]
        places.append(
            Place(
                postcode=m.postcode,
                district=centre.outward_code,
                latitude=centre.latitude + rng.uniform(-0.01, 0.01),
                longitude=centre.longitude + rng.uniform(-0.015, 0.015),
            )
        )
    profiles = profiles_seed_in_bulk(
        memberships=memberships,
        rng=rng,
        names=[m.legal_name.split()[0] for m in memberships],
        places=places,
    )
    return f"{len(profiles):,} profiles with skills, languages and weekly times"


def seed_circles(town: Town) -> str:
    """Each advocate in the circle of support of a person getting support, with the powers that
    person gave; the advocate persona in the person persona's circle, able to book for them."""
    rng, now = town.rng, town.now
    receivers = dict(Membership.objects.filter(pk__in=town.receivers).values_list("pk", "user_id"))
    supporters = {
        pk: (user_id, email)
        for pk, user_id, email in Membership.objects.filter(pk__in=town.advocates).values_list(
            "pk", "user_id", "user__email"
        )
    }
    places = []
    for i, advocate in enumerate(town.advocates):
        # Spread over the people getting support: a few have two advocates, most have none.
        receiver = town.receivers[(i * 7) % len(town.receivers)]
        persona = i == 0
        invited = now - timedelta(days=rng.randint(30, 600))
        places.append(
            CircleMember(
                receiver_id=receiver,
                email=supporters[advocate][1],
                supporter_id=supporters[advocate][0],
                can_view_care=True,
                can_book=persona or rng.random() < 0.5,
                can_manage_team=persona or rng.random() < 0.3,
                status=CircleMember.Status.ACTIVE,
                token_hash=hashlib.sha256(f"town-circle-{advocate}".encode()).hexdigest(),
                invited_by_id=receivers[receiver],
                invited_at=invited,
                expires_at=invited + timedelta(days=14),
                responded_at=invited + timedelta(days=1),
            )
        )
    CircleMember.objects.bulk_create(places, batch_size=2000)
    return f"{len(places):,} advocates in circles of support"


STAGES: list[tuple[str, Callable[[Town], str]]] = [
    ("register", seed_members),
    ("profiles", seed_profiles),
    ("circles", seed_circles),
]
