from django.db import migrations
from django.utils import timezone


def owe_unsent_governance_emails(apps, schema_editor):
    """Meeting notices and proxy emails still owed are owed in the outbox instead, as the services
    now write them, before the fields that owed them are dropped. The notice rows stay: they are
    the record that each member was given notice."""
    MeetingNotice = apps.get_model("governance", "MeetingNotice")
    Proxy = apps.get_model("governance", "Proxy")
    Membership = apps.get_model("members", "Membership")
    Email = apps.get_model("carecoop", "Email")
    now = timezone.now()

    notices = list(MeetingNotice.objects.filter(sent_at__isnull=True).order_by("pk"))
    names = {
        pk: display_name or legal_name
        for pk, display_name, legal_name in Membership.objects.filter(
            pk__in={n.membership_id for n in notices}
        ).values_list("pk", "profile__display_name", "legal_name")
    }
    Email.objects.bulk_create(
        [
            Email(
                kind="governance.meeting_notice",
                to=notice.email,
                to_name=names.get(notice.membership_id, ""),
                context={"meeting": notice.meeting_id},
                about=f"governance.meeting_notice:{notice.meeting_id}",
            )
            for notice in notices
            if notice.email
        ],
        batch_size=2000,
    )

    rows = []
    owed = Proxy.objects.filter(holder_email_due=True, revoked_at__isnull=True, holder__isnull=False)
    for proxy in owed.select_related("appointer__profile", "holder__user", "holder__profile", "meeting", "ballot"):
        appointer_profile = getattr(proxy.appointer, "profile", None)
        holder_profile = getattr(proxy.holder, "profile", None)
        context = {
            "appointer": (appointer_profile.display_name if appointer_profile else "")
            or proxy.appointer.legal_name,
            "instruction": proxy.get_instruction_display() if proxy.instruction else "",
            "instructions_text": proxy.instructions_text,
        }
        if proxy.ballot_id:
            if proxy.ballot.status == "closed" or proxy.ballot.closes_at <= now:
                continue
            context.update(ballot=proxy.ballot_id, ballot_title=proxy.ballot.title)
            not_after = proxy.ballot.closes_at
        else:
            if proxy.meeting.ends_at <= now:
                continue
            starts = timezone.localtime(proxy.meeting.starts_at)
            context.update(
                meeting=proxy.meeting_id,
                meeting_title=proxy.meeting.title,
                day=f"{starts:%A} {starts.day} {starts:%B %Y}",
                at=f"{starts:%H:%M}",
            )
            not_after = proxy.meeting.ends_at
        if not proxy.holder.user.email:
            continue
        rows.append(
            Email(
                kind="governance.proxy_held",
                to=proxy.holder.user.email,
                to_name=(holder_profile.display_name if holder_profile else "") or proxy.holder.legal_name,
                context=context,
                about=f"governance.proxy:{proxy.pk}",
                not_after=not_after,
            )
        )
    Email.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ("carecoop", "0001_email_outbox"),
        ("governance", "0003_meeting_notice_amended"),
    ]

    operations = [
        migrations.RunPython(owe_unsent_governance_emails, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="meetingnotice",
            name="meeting_notice_unsent",
        ),
        migrations.RemoveIndex(
            model_name="proxy",
            name="proxy_email_due",
        ),
        migrations.RemoveField(
            model_name="historicalproxy",
            name="holder_email_due",
        ),
        migrations.RemoveField(
            model_name="meetingnotice",
            name="sent_at",
        ),
        migrations.RemoveField(
            model_name="proxy",
            name="holder_email_due",
        ),
    ]
