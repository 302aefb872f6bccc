from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from members.models import Membership, User
from scheduling.models import Visit
from tests.factories import MembershipFactory

MEMBERS = 300


def test_seeding_is_refused_where_demo_data_is_not_allowed(db, settings):
    settings.CARECOOP_DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="published password"):
        call_command("seed_town", members=MEMBERS, stdout=StringIO())

    assert not User.objects.exists()


def test_a_register_already_started_is_refused_before_anything_is_written(db):
    MembershipFactory()

    with pytest.raises(CommandError, match="fresh database"):
        call_command("seed_town", members=MEMBERS, stdout=StringIO())

    assert Membership.objects.count() == 1
    assert not Visit.objects.exists()
