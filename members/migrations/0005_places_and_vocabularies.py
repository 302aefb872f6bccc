"""The postcode districts the project ships, and the first words of the vocabularies staff keep."""

from django.db import migrations

from members import reference_data


def load(apps, schema_editor):
    reference_data.load_districts(apps.get_model)
    reference_data.load_vocabularies(apps.get_model, models=("Skill", "Language", "LivedExperience"))


class Migration(migrations.Migration):
    dependencies = [("members", "0004_profiles")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
