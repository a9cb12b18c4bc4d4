"""The build clock: SOURCE_DATE_EPOCH from the environment, and the one way an epoch becomes a date."""

from __future__ import annotations

import datetime as dt
import os

from archivekit.errors import UsageError


def epoch_from_env() -> int | None:
    """$SOURCE_DATE_EPOCH as whole seconds, or None when it is unset."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return None
    if not value.strip().isdigit():
        raise UsageError(
            f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds",
            hint="set it to a Unix time, e.g. $(git log -1 --format=%ct), or unset it",
        )
    return int(value)


def moment(epoch: int) -> dt.datetime:
    """The epoch as an aware UTC datetime: every date an output carries is derived from this."""
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def day(epoch: int) -> dt.date:
    """The UTC calendar day of the epoch."""
    return moment(epoch).date()


def utc_seconds(epoch: int) -> str:
    """The epoch as ISO 8601 UTC to the second, e.g. 2023-11-14T22:13:20Z."""
    return moment(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")
