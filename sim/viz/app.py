"""The teaching dashboard: watch a complaint spread and see what a fast answer changes.

Start it with `make app`, or `solara run sim/viz/app.py --host 127.0.0.1`, and open the address
it prints (http://127.0.0.1:8765 by default).

A page built from Mesa's visualization components around `DashboardModel` (`sim/viz/controls.py`
says why not `SolaraViz` itself): the sidebar holds Mesa's Reset / Play / Pause / Step buttons,
the pause between steps while playing, and the controls (scenario, strategy, staff, response
target, triage order, integrated vs siloed, population size, seed, a comparison strategy and the
simulated minutes per step), every slider with its value. A changed control takes effect at the
next Reset. The main area shows the spreading
complaint on the network around the complainers and, live, mentions per hour, cumulative reach,
mean sentiment, queue and cost, for the main run (solid) and the comparison (dashed) on the same
seed.
"""

from __future__ import annotations

import logging

import solara
from matplotlib.figure import Figure

from sim.config.fields import infos
from sim.config.schema import ORGANISATIONS, TRIAGE_ORDERS
from sim.config.strategy_schema import StrategyConfig
from sim.viz.controls import DashboardSidebar, update_counter
from sim.viz.live import DEFAULT_STAFF, DashboardModel
from sim.viz.live_charts import (
    mentions_chart,
    queue_cost_chart,
    reach_chart,
    sentiment_chart,
    summary_markdown,
)
from sim.viz.network_view import draw_ego, sentiment_colorbar
from sim.viz.presets import preset_names

TITLE = "Social customer care: how one complaint spreads"
POPULATIONS = [2_000, 5_000, 10_000, 20_000, 50_000]
HELP = (
    "**How to use.** Pick the controls on the left, press **Reset** to start a run with them, then "
    "**Step** (one step = the simulated minutes set below) or **▶** to play and **❚❚** to pause. "
    "Solid lines: your strategy; dashed: the comparison, on the same people and the same seed. "
    "The default desk (6 care staff) keeps up; try 2, an overwhelmed desk."
)
STRATEGY_UNITS = {i.name: i.unit for i in infos(StrategyConfig)}


def model_params() -> dict:
    """The dashboard's controls, in Mesa's `model_params` format (names = DashboardModel args)."""
    strategies = preset_names("strategy")
    return {
        "scenario": {
            "type": "Select",
            "value": "united_sarver",
            "values": preset_names("scenario"),
            "label": "Scenario",
        },
        "strategy": {
            "type": "Select",
            "value": "fast_social_care",
            "values": strategies,
            "label": "Strategy",
        },
        "staff": {
            "type": "SliderInt",
            "value": DEFAULT_STAFF,
            "min": 0,
            "max": 20,
            "step": 1,
            "label": "Care staff",
            "unit": STRATEGY_UNITS["staff"],
        },
        "response_target_min": {
            "type": "SliderInt",
            "value": 20,
            "min": 5,
            "max": 720,
            "step": 5,
            "label": "Response target",
            "unit": STRATEGY_UNITS["response_target_min"],
        },
        "triage": {
            "type": "Select",
            "value": "fifo",
            "values": list(TRIAGE_ORDERS),
            "label": "Triage order",
        },
        "organisation": {
            "type": "Select",
            "value": "integrated",
            "values": list(ORGANISATIONS),
            "label": "Organisation",
        },
        "population": {
            "type": "Select",
            "value": 10_000,
            "values": POPULATIONS,
            "label": "Simulated people",
        },
        "seed": {"type": "SliderInt", "value": 1, "min": 1, "max": 100, "step": 1, "label": "Seed"},
        "compare_with": {
            "type": "Select",
            "value": "ignore",
            "values": ["none", *strategies],
            "label": "Compare with (side by side)",
        },
        "minutes_per_step": {
            "type": "SliderInt",
            "value": 30,
            "min": 10,
            "max": 120,
            "step": 10,
            "label": "Step length",
            "unit": "min",
        },
    }


def _figure(draw, views, size=(6.4, 3.5), css: str = ""):
    fig = Figure(figsize=size, dpi=90)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.15, right=0.87, bottom=0.14, top=0.9)  # fixed: tight_layout is slow
    draw(ax, views)
    with solara.Column(classes=[css], style={"width": "100%"}) as col:
        solara.FigureMatplotlib(fig, format="png")
    return col


def NetworkView(model: DashboardModel):
    """The spreading complaint around the complainers, one panel per run."""
    views = model.views
    fig = Figure(figsize=(11.0, 7.4), dpi=80)
    axes = fig.subplots(1, len(views), squeeze=False)[0]
    fig.subplots_adjust(left=0.005, right=0.92, bottom=0.01, top=0.9, wspace=0.03)
    for ax, v in zip(axes, views):
        draw_ego(ax, v.frame, title=v.label, small=len(views) > 1)
    sentiment_colorbar(fig, list(axes))
    with solara.Column(classes=["sc-network"], style={"width": "100%"}) as col:
        solara.FigureMatplotlib(fig, format="png")
    return col


def MentionsView(model: DashboardModel):
    """Negative and positive mentions per hour."""
    return _figure(mentions_chart, model.views, css="sc-mentions")


def ReachView(model: DashboardModel):
    """Cumulative reach."""
    return _figure(reach_chart, model.views, css="sc-reach")


def SentimentView(model: DashboardModel):
    """Mean customer sentiment."""
    return _figure(sentiment_chart, model.views, css="sc-sentiment")


def QueueCostView(model: DashboardModel):
    """Queue length and cost so far."""
    return _figure(queue_cost_chart, model.views, css="sc-queue-cost")


def SummaryView(model: DashboardModel):
    """How to use, and the numbers so far."""
    with solara.Column(classes=["sc-summary"], style={"width": "100%", "font-size": "13px"}) as col:
        solara.Markdown(HELP)
        solara.Markdown(summary_markdown(model.views))
    return col


COMPONENTS = [NetworkView, SummaryView, ReachView, MentionsView, SentimentView, QueueCostView]
# Where each view sits on a 12-column grid (rows of 30 px): the network wide on top.
LAYOUT = [
    {"i": 0, "x": 0, "y": 0, "w": 8, "h": 16},
    {"i": 1, "x": 8, "y": 0, "w": 4, "h": 16},
    {"i": 2, "x": 0, "y": 16, "w": 6, "h": 11},
    {"i": 3, "x": 6, "y": 16, "w": 6, "h": 11},
    {"i": 4, "x": 0, "y": 27, "w": 6, "h": 11},
    {"i": 5, "x": 6, "y": 27, "w": 6, "h": 11},
]


def grid_layout(num_components: int) -> list[dict]:
    """The initial layout of `num_components` views: LAYOUT, or two per row for other counts."""
    if num_components == len(LAYOUT):
        return [{**item, "moved": False} for item in LAYOUT]
    return [
        {"i": i, "x": 6 * (i % 2), "y": 11 * (i // 2), "w": 6, "h": 11, "moved": False}
        for i in range(num_components)
    ]


def quiet_logging() -> None:
    """Mesa logs each step at INFO; keep the console to warnings."""
    for name in ("MESA", "mesa"):
        logging.getLogger(name).setLevel(logging.WARNING)


@solara.component
def LiveComponent(view, model: DashboardModel):
    """One view, drawn again whenever the model steps (Mesa's update counter)."""
    update_counter.get()
    return view(model)


@solara.component
def Views(model: DashboardModel):
    """The views on one draggable, resizable grid (no tabs: the dashboard has one page)."""
    layout = solara.use_reactive(grid_layout(len(COMPONENTS)))
    solara.GridDraggable(
        items=[LiveComponent(view, model) for view in COMPONENTS],
        grid_layout=layout.value,
        resizable=True,
        draggable=True,
        on_grid_layout=layout.set,
    )


@solara.component
def Page():
    """The dashboard page (what `solara run` serves): title bar, sidebar, views."""
    quiet_logging()
    first = solara.use_memo(DashboardModel, [])
    model: solara.Reactive[DashboardModel] = solara.use_reactive(first)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    DashboardSidebar(model, model_params())
    Views(model.value)
