"""Distance on the earth (pure): is a phone's reported position within N metres of the venue?"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def within(
    *, lat: float, lng: float, centre_lat: float, centre_lng: float, radius_m: float, accuracy_m: float = 0
) -> bool:
    """True when the position (allowing its reported accuracy, capped at 100 m) lies within the radius."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return False
    slack = min(max(accuracy_m, 0.0), 100.0)
    return distance_m(lat, lng, centre_lat, centre_lng) <= radius_m + slack
