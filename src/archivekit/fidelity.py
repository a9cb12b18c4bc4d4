"""Kept for old imports only: the fidelity primitives live in archivekit.validate.judge.text."""

from archivekit.validate.judge.text import broken_units, first_gap, note_units, seed_units, squeeze

__all__ = ["broken_units", "first_gap", "note_units", "seed_units", "squeeze"]
