from django.db import migrations

COURSES = [
    "Safeguarding adults",
    "Moving and handling",
    "First aid",
    "Medication administration",
    "Food hygiene",
    "Dementia awareness",
    "Infection prevention and control",
    "Mental capacity and consent",
]


def load(apps, schema_editor):
    TrainingCourse = apps.get_model("members", "TrainingCourse")
    for name in COURSES:
        TrainingCourse.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("members", "0006_vetting")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
