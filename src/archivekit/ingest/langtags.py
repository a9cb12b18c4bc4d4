"""Language tags: well-formed BCP 47 and made of subtags the IANA registry knows.

A misspelt tag (`zh-Hnas`, `xx`) would be written into every output as the text's language and
send screen readers to the wrong voice, so it is refused like any other source error.
"""

from __future__ import annotations

import re

import langcodes

# The shape the schema allows (language, script, region, variants); the registry check follows.
WELL_FORMED = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def tag_problem(tag: str) -> str | None:
    """Why this tag cannot label a text (None: it can)."""
    if not WELL_FORMED.fullmatch(tag):
        return f"malformed language tag {tag!r}"
    if not langcodes.tag_is_valid(tag):
        return f"unknown language tag {tag!r}: not made of subtags in the IANA language subtag registry"
    return None


HINT = "use a registered BCP 47 tag such as zh-Hans or en, or correct the spelling"
