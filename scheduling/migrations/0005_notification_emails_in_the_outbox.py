from django.db import migrations

REMINDER_KINDS = {"worker_24h", "worker_1h", "receiver_evening", "open_unfilled", "missed"}


def owe_unsent_notification_emails(apps, schema_editor):
    """Each notification whose email was still owed is owed in the outbox instead, as the
    services now write it, before its flag is dropped."""
    Notification = apps.get_model("scheduling", "Notification")
    Membership = apps.get_model("members", "Membership")
    Email = apps.get_model("carecoop", "Email")
    owed = list(Notification.objects.filter(email_due=True).select_related("user").order_by("pk"))
    names = {
        user_id: display_name or legal_name
        for user_id, display_name, legal_name in Membership.objects.filter(
            user_id__in={n.user_id for n in owed}, date_ceased__isnull=True
        ).values_list("user_id", "profile__display_name", "legal_name")
    }
    Email.objects.bulk_create(
        [
            Email(
                kind="scheduling.notification",
                to=notification.user.email,
                to_name=names.get(notification.user_id, ""),
                context={
                    "title": notification.title,
                    # A reminder's body can carry the visit's notes: they stay in the app.
                    "text": "" if notification.kind in REMINDER_KINDS else notification.body,
                    "visit": notification.visit_id,
                },
                about=f"scheduling.notification:{notification.pk}",
            )
            for notification in owed
            if notification.user.email
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("carecoop", "0001_email_outbox"),
        ("scheduling", "0004_notification_outbox"),
    ]

    operations = [
        migrations.RunPython(owe_unsent_notification_emails, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="notification",
            name="notification_email_due",
        ),
        migrations.RemoveField(
            model_name="notification",
            name="email_due",
        ),
        migrations.RemoveField(
            model_name="notification",
            name="emailed_at",
        ),
    ]
