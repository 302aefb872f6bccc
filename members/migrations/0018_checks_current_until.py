from django.db import migrations, models


def fill(apps, schema_editor):
    """Each bookable worker's kept badge date, worked out from the records as the services keep
    it: the first expiry among their latest checks (the newest of each kind and course; references
    each stand alone), and never past the day they stop being bookable."""
    Membership = apps.get_model("members", "Membership")
    VettingCheck = apps.get_model("members", "VettingCheck")
    bookable = dict(
        Membership.objects.filter(bookable_until__isnull=False).values_list("pk", "bookable_until")
    )
    latest: dict[tuple, tuple] = {}
    rows = VettingCheck.objects.filter(voided_at__isnull=True, membership_id__in=list(bookable)).values_list(
        "membership_id", "kind", "course_id", "issued_on", "pk", "expires_on"
    )
    for membership_id, kind, course_id, issued_on, pk, expires_on in rows:
        key = (membership_id, kind, course_id or 0, pk if kind == "reference" else 0)
        if key not in latest or (issued_on, pk) > latest[key][:2]:
            latest[key] = (issued_on, pk, expires_on)
    until = dict(bookable)
    for (membership_id, *_), (_, _, expires_on) in latest.items():
        if expires_on is not None and expires_on < until[membership_id]:
            until[membership_id] = expires_on
    changed = [Membership(pk=pk, checks_current_until=day) for pk, day in until.items()]
    Membership.objects.bulk_update(changed, ["checks_current_until"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0017_data_requests_and_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="checks_current_until",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
