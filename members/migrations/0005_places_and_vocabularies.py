"""The postcode districts the project ships, and the first words of the vocabularies staff keep."""

import csv
from pathlib import Path

from django.db import migrations

DISTRICTS = Path(__file__).resolve().parent.parent / "data" / "postcode_districts.csv"

SKILLS = [
    "Personal care",
    "Medication support",
    "Dementia",
    "Mental health",
    "Learning disability",
    "Autism",
    "Physical disability",
    "End of life care",
    "Companionship",
    "Cooking",
    "Shopping and errands",
    "Housework",
    "Driving",
    "Getting out and about",
    "Sleep-in nights",
]
LANGUAGES = [
    "English",
    "British Sign Language",
    "Urdu",
    "Punjabi",
    "Bengali",
    "Polish",
    "Romanian",
    "Arabic",
    "Kurdish",
    "Gujarati",
    "Welsh",
    "French",
]
LIVED_EXPERIENCE = [
    "Caring for a family member",
    "Dementia in the family",
    "Mental health",
    "Autism",
    "Living with a disability",
    "Long-term illness",
    "Bereavement",
    "Recovery from addiction",
]


def load(apps, schema_editor):
    PostcodeDistrict = apps.get_model("members", "PostcodeDistrict")
    with DISTRICTS.open(newline="") as handle:
        for row in csv.DictReader(handle):
            PostcodeDistrict.objects.update_or_create(
                outward_code=row["outward_code"],
                defaults={"latitude": float(row["latitude"]), "longitude": float(row["longitude"])},
            )
    for model, names in (("Skill", SKILLS), ("Language", LANGUAGES), ("LivedExperience", LIVED_EXPERIENCE)):
        Model = apps.get_model("members", model)
        for name in names:
            Model.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("members", "0004_profiles")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
