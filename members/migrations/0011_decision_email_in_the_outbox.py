from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def owe_unsent_decisions(apps, schema_editor):
    """A recent decision whose email had not gone yet (its task lost, its server down) is owed in
    the outbox, as the services now write it, before the marker it was waiting on is dropped. One
    older than a fortnight is left: news that late would confuse more than it tells."""
    Application = apps.get_model("members", "Application")
    Membership = apps.get_model("members", "Membership")
    Email = apps.get_model("carecoop", "Email")
    rows = []
    undecided = Application.objects.filter(
        decision_emailed_at__isnull=True,
        status__in=["approved", "rejected"],
        decided_at__gte=timezone.now() - timedelta(days=14),
    ).select_related("user")
    for application in undecided:
        if not application.user.email:
            continue
        about = f"members.application:{application.pk}"
        if application.status == "approved":
            membership = Membership.objects.filter(application=application).first()
            if membership is None:
                continue
            context = {
                "number": membership.number,
                "member_class": membership.get_member_class_display(),
                "admitted": membership.date_admitted.strftime("%-d %B %Y"),
                "shares": application.shares,
            }
            kind = "members.application_approved"
        else:
            context = {"reason": application.decision_reason}
            kind = "members.application_rejected"
        rows.append(
            Email(
                kind=kind,
                to=application.user.email,
                to_name=application.legal_name,
                context=context,
                about=about,
            )
        )
    Email.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ("carecoop", "0001_email_outbox"),
        ("members", "0010_bookable_until"),
    ]

    operations = [
        migrations.RunPython(owe_unsent_decisions, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="application",
            name="decision_emailed_at",
        ),
    ]
