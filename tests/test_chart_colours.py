"""Chart colours against the white page: lines, bars and grey marks at least 3:1 (WCAG 2.1 1.4.11),
computed here by WCAG's relative-luminance formula, not taken from the product."""

from __future__ import annotations

import pytest

from lom.ui import charts


def contrast_with_white(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_the_formula_on_known_pairs():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


@pytest.mark.parametrize("colour", [*charts.LINE_COLOURS, charts.GREY, charts.RULE_COLOUR])
def test_lines_bars_and_grey_marks_stand_out_from_white(colour):
    assert contrast_with_white(colour) >= 3.0


def test_the_light_palette_colours_are_only_fills_inside_an_outline():
    # Okabe and Ito's orange, sky blue and yellow fall below 3:1: they are not line colours.
    light = [charts.ORANGE, charts.SKY, charts.YELLOW]
    assert all(contrast_with_white(c) < 3.0 for c in light)
    assert not set(light) & set(charts.LINE_COLOURS)
