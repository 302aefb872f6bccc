"""Postcodes to places, without the internet.

A postcode becomes the centroid of its district (the outward code: "HX7" of "HX7 8AH"),
looked up in the PostcodeDistrict table. Distances between districts are good to a kilometre
or two, which is what choosing a worker within travelling distance needs. A real geocoder
can replace `DistrictGeocoder` behind the same `Geocoder` interface.
"""

import math
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


class Geocoder(Protocol):
    def locate(self, postcode: str) -> Point | None:
        """Where a postcode is, or None when it is not known."""


def outward_code(postcode: str) -> str:
    """The district part of a postcode: "hx7 8ah" → "HX7"; a bare district is returned as is."""
    compact = "".join(postcode.split()).upper()
    return compact[:-3] if len(compact) > 4 else compact


class DistrictGeocoder:
    def locate(self, postcode: str) -> Point | None:
        from members.models import PostcodeDistrict

        district = PostcodeDistrict.objects.filter(outward_code=outward_code(postcode)).first()
        if district is None:
            return None
        return Point(latitude=district.latitude, longitude=district.longitude)


def geocoder() -> Geocoder:
    geocoder_class: type[Geocoder] = import_string(settings.CARECOOP_GEOCODER)
    return geocoder_class()


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def bounding_box(centre: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(min latitude, max latitude, min longitude, max longitude) around a point: a cheap first
    filter on indexed columns before the exact distance."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(centre.latitude))))
    return centre.latitude - dlat, centre.latitude + dlat, centre.longitude - dlon, centre.longitude + dlon
