"""The build clock from the environment: SOURCE_DATE_EPOCH, checked once for every stage."""

from __future__ import annotations

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
