import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.geo import outward_code
from members.models import PostcodeDistrict


class Command(BaseCommand):
    help = (
        "Load postcode district centroids from the ONS Postcode Directory (ONSPD) CSV: every live "
        "postcode's coordinates are averaged per district. Replaces the districts it finds."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="ONSPD CSV (columns pcds, lat, long, doterm)")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"pcds", "lat", "long"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"Not an ONSPD file: missing columns {', '.join(sorted(missing))}")
            for row in reader:
                if row.get("doterm"):  # a terminated postcode
                    continue
                try:
                    latitude, longitude = float(row["lat"]), float(row["long"])
                except ValueError:
                    continue
                if latitude > 90:  # ONSPD's placeholder for "no grid reference"
                    continue
                total = sums[outward_code(row["pcds"])]
                total[0] += latitude
                total[1] += longitude
                total[2] += 1
        with transaction.atomic():
            for code, (latitude, longitude, count) in sums.items():
                PostcodeDistrict.objects.update_or_create(
                    outward_code=code,
                    defaults={
                        "latitude": round(latitude / count, 6),
                        "longitude": round(longitude / count, 6),
                    },
                )
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(sums)} postcode districts."))
