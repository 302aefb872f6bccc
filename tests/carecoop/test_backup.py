"""The nightly backup restores (docs/operations.md): the database's backup, restored into a new
database, holds the same register of members and the same rows in every table; the uploaded
files' backup brings every photo back as it was.

Run as the worker runs it (carecoop.backups_make), against committed data: pg_dump sees only
what is committed."""

from pathlib import Path

import pytest
from dbbackup import settings as backup_settings
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from carecoop.tasks import backups_make_task
from members.selectors import register_csv_rows, register_list
from members.services import membership_cease
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(backup_settings, "STORAGE_OPTIONS", {"location": str(tmp_path)})
    return tmp_path


@pytest.fixture
def restored():
    """A new, empty database, as after losing the old one, known as the "restored" alias."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connections.settings["restored"] = {**connection.settings_dict, "NAME": name}
    # Made now, then no longer listed: the test's guard lets it be used as a connection made
    # while the test runs, which only a listed alias may not be.
    connections["restored"]
    yield "restored"
    connections.settings.pop("restored", None)
    connections["restored"].close()
    del connections["restored"]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _register(alias: str) -> list[list[str]]:
    return list(register_csv_rows(register_list().using(alias)))


def test_the_backup_restored_into_a_new_database_holds_the_same_register(backup_dir, restored, staff):
    members = [MembershipFactory(shares=shares) for shares in (1, 5, 20)]
    membership_cease(membership=members[0], by=staff, reason="resigned", ceased_on=members[0].date_admitted)

    backups_make_task()
    assert (
        len([path for path in backup_dir.iterdir() if path.suffix == ".gz"]) == 2
    )  # the database, the files
    (database_backup,) = backup_dir.glob("*.psql.bin.gz")
    call_command(
        "dbrestore", "--database", restored, "--input-path", str(database_backup), "--uncompress", "--noinput"
    )

    del connections.settings[restored]
    assert connections[restored].settings_dict["NAME"] != connection.settings_dict["NAME"]
    assert len(_register("default")) == 3
    assert _register(restored) == _register("default")
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            assert model.objects.using(restored).count() == model.objects.count(), model


def test_the_backup_of_uploaded_files_brings_every_photo_back(backup_dir, db):
    photo = Path(settings.MEDIA_ROOT) / "photos" / "ruth.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff a photo \xff\xd9")

    backups_make_task()
    photo.unlink()
    call_command("mediarestore", "--uncompress", "--noinput", "--replace", verbosity=0)

    assert photo.read_bytes() == b"\xff\xd8\xff a photo \xff\xd9"
