"""The dashboard's sidebar: the run buttons and the model's controls, each slider with its value.

Mesa 3.3's `SolaraViz` page always adds its own framework controls (a "Use Threads" switch, a
"Render Interval" slider, a tab named "Page 0"), shows sliders without their values and takes no
argument to change either. The dashboard therefore builds its page from Mesa's page components
instead: `ModelController` (Reset, ▶ / ❚❚, Step) and `ShowSteps`, with the controls of this module.
The play interval stays, renamed for a class: the pause between two steps while playing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import solara

# Mesa 3.3's ComponentsView trips Solara's hook linter when imported; harmless, and not ours to fix.
warnings.filterwarnings(
    "ignore", message=r".*ComponentsView: `use_state` found despite early return"
)

# Imported after the filter, on purpose: the warning is raised at import time.
from mesa.visualization.solara_viz import ModelController, ShowSteps  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

__all__ = ["DashboardSidebar", "ParameterControls", "ValueSlider", "update_counter", "value_text"]

PLAY_PAUSE = {"label": "Pause between steps", "value": 150, "min": 0, "max": 1000, "step": 50}
PLAY_PAUSE_UNIT = "ms"
SINGULAR = {"people": "person"}


def value_text(value: float, unit: str = "") -> str:
    """A control's value as the sidebar shows it: `6 people`, `20 min`, `1 person`, `3`."""
    number = f"{value:,}" if isinstance(value, int) else f"{value:,g}"
    if not unit:
        return number
    return f"{number} {SINGULAR.get(unit, unit) if value == 1 else unit}"


@solara.component
def ValueSlider(
    label: str,
    value: int,
    on_value: Callable[[int], None],
    min: int,  # noqa: A002 (the names of Solara's slider)
    max: int,  # noqa: A002
    step: int = 1,
    unit: str = "",
):
    """An integer slider with its current value (and unit) written next to it."""
    with solara.Row(
        classes=["sc-slider"], style={"align-items": "center", "flex-wrap": "nowrap", "gap": "6px"}
    ) as row:
        with solara.Column(style={"flex": "1 1 auto", "min-width": "0"}):
            solara.SliderInt(label, value=value, on_value=on_value, min=min, max=max, step=step)
        solara.Text(
            value_text(value, unit),
            classes=["sc-slider-value"],
            style={"white-space": "nowrap", "min-width": "4.8em", "text-align": "right"},
        )
    return row


@solara.component
def ParameterControls(specs: Mapping[str, Mapping[str, Any]], values: solara.Reactive[dict]):
    """One input per model parameter (Mesa's `model_params` format, plus an optional `unit`)."""
    for name, spec in specs.items():

        def set_one(value: Any, name: str = name) -> None:
            values.set({**values.value, name: value})

        current = values.value[name]
        if spec["type"] == "Select":
            solara.Select(spec["label"], value=current, values=spec["values"], on_value=set_one)
        elif spec["type"] == "SliderInt":
            ValueSlider(
                spec["label"],
                value=int(current),
                on_value=set_one,
                min=spec["min"],
                max=spec["max"],
                step=spec.get("step", 1),
                unit=spec.get("unit", ""),
            )
        else:
            raise ValueError(f"control {name!r}: unsupported type {spec['type']!r}")


@solara.component
def DashboardSidebar(model: solara.Reactive, specs: Mapping[str, Mapping[str, Any]]):
    """The sidebar: run buttons, the pause between steps, the step count, then the controls.

    Args:
        model: the reactive model; Reset replaces it with one built from the controls' values.
        specs: the controls, in Mesa's `model_params` format (names = the model's arguments).
    """
    values = solara.use_reactive({name: spec["value"] for name, spec in specs.items()})
    pause_ms = solara.use_reactive(PLAY_PAUSE["value"])
    every_step = solara.use_reactive(1)  # redraw after every step
    no_threads = solara.use_reactive(False)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=values,
                play_interval=pause_ms,
                render_interval=every_step,
                use_threads=no_threads,
            )
            ValueSlider(
                PLAY_PAUSE["label"],
                value=pause_ms.value,
                on_value=pause_ms.set,
                min=PLAY_PAUSE["min"],
                max=PLAY_PAUSE["max"],
                step=PLAY_PAUSE["step"],
                unit=PLAY_PAUSE_UNIT,
            )
            ShowSteps(model.value)
        with solara.Card("Controls (press Reset to apply)"):
            ParameterControls(specs, values)
