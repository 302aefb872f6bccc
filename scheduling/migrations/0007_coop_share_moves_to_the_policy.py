from django.db import migrations


def carry_the_share_over(apps, schema_editor):
    """The co-op's share, as staff set it on the visits' policy, becomes the co-op policy's."""
    SchedulingPolicy = apps.get_model("scheduling", "SchedulingPolicy")
    Policy = apps.get_model("members", "Policy")
    old = SchedulingPolicy.objects.filter(pk=1).first()
    if old is None:
        return  # never set: the co-op policy's defaults are the same numbers
    Policy.objects.update_or_create(
        pk=1,
        defaults={
            "coop_deduction_percent": old.coop_deduction_percent,
            "coop_addition_percent": old.coop_addition_percent,
        },
    )


class Migration(migrations.Migration):
    """The co-op's share of each visit moves to the co-op policy (members.Policy), where search,
    suggestions and profiles can read it too (members.pricing)."""

    dependencies = [
        ("scheduling", "0006_hours_settled"),
        ("members", "0012_coop_share_of_visits"),
    ]

    operations = [
        migrations.RunPython(carry_the_share_over, migrations.RunPython.noop),
        migrations.RemoveField(model_name="historicalschedulingpolicy", name="coop_addition_percent"),
        migrations.RemoveField(model_name="historicalschedulingpolicy", name="coop_deduction_percent"),
        migrations.RemoveField(model_name="schedulingpolicy", name="coop_addition_percent"),
        migrations.RemoveField(model_name="schedulingpolicy", name="coop_deduction_percent"),
    ]
