"""Points on the earth."""

from __future__ import annotations

import attrs

from . import validators as v


@attrs.frozen(kw_only=True)
class GeoPoint:
    """A location in degrees: ``lat`` in [-90, 90], ``lon`` in [-180, 180]."""

    lat: float = attrs.field(converter=v.to_float, validator=v.finite_in_range(-90.0, 90.0))
    lon: float = attrs.field(converter=v.to_float, validator=v.finite_in_range(-180.0, 180.0))
