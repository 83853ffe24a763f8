"""The pages' words: :func:`t` is :func:`geo.words.word` (every word the app shows lives there).

Place and district names always come from the data in the chosen language.
"""

from __future__ import annotations

from geo.words import word as t

__all__ = ["city_label", "t"]


def city_label(city_id: str, lang: str = "en") -> str:
    """A city as the filters name it, whatever the date (the capital was renamed twice)."""
    return t(f"city_choice_{city_id}", lang)
