from django.db import migrations

from members import reference_data


def load(apps, schema_editor):
    reference_data.load_vocabularies(apps.get_model, models=("TrainingCourse",))


class Migration(migrations.Migration):
    dependencies = [("members", "0006_vetting")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
