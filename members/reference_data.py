"""The reference data the co-op starts with: postcode districts and the first words of the
vocabularies staff keep. Loaded by migrations, and again by tests after a table flush.

`get_model` is a migration's `apps.get_model`, or `django.apps.apps.get_model` elsewhere.
"""

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

DISTRICTS = Path(__file__).resolve().parent / "data" / "postcode_districts.csv"

VOCABULARIES = {
    "Skill": [
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
    ],
    "Language": [
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
    ],
    "LivedExperience": [
        "Caring for a family member",
        "Dementia in the family",
        "Mental health",
        "Autism",
        "Living with a disability",
        "Long-term illness",
        "Bereavement",
        "Recovery from addiction",
    ],
    "TrainingCourse": [
        "Safeguarding adults",
        "Moving and handling",
        "First aid",
        "Medication administration",
        "Food hygiene",
        "Dementia awareness",
        "Infection prevention and control",
        "Mental capacity and consent",
    ],
}


def load_districts(get_model: Callable[[str, str], Any]) -> None:
    PostcodeDistrict = get_model("members", "PostcodeDistrict")
    with DISTRICTS.open(newline="") as handle:
        for row in csv.DictReader(handle):
            PostcodeDistrict.objects.update_or_create(
                outward_code=row["outward_code"],
                defaults={"latitude": float(row["latitude"]), "longitude": float(row["longitude"])},
            )


def load_vocabularies(get_model: Callable[[str, str], Any], models: tuple[str, ...] | None = None) -> None:
    for model_name, names in VOCABULARIES.items():
        if models is not None and model_name not in models:
            continue
        Model = get_model("members", model_name)
        for name in names:
            Model.objects.get_or_create(name=name)


def load(get_model: Callable[[str, str], Any]) -> None:
    load_districts(get_model)
    load_vocabularies(get_model)
