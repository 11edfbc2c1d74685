"""The teaching dashboard: watch a complaint spread and see what a fast answer changes.

Start it with `make app`, or `solara run sim/viz/app.py --host 127.0.0.1`, and open the address
it prints (http://127.0.0.1:8765 by default).

A Mesa `SolaraViz` page around `DashboardModel`: the sidebar holds the controls (scenario,
strategy, staff, response target, triage order, integrated vs siloed, population size, seed,
a comparison strategy and the simulated minutes per step) and Mesa's Step / Play / Pause / Reset
buttons. A changed control takes effect at the next Reset. The main area shows the spreading
complaint on the network around the complainers and, live, mentions per hour, cumulative reach,
mean sentiment, queue and cost, for the main run (solid) and the comparison (dashed) on the same
seed.
"""

from __future__ import annotations

import logging
import warnings

import solara
from matplotlib.figure import Figure

from sim.config.schema import ORGANISATIONS, TRIAGE_ORDERS
from sim.viz.live import DashboardModel
from sim.viz.live_charts import (
    mentions_chart,
    queue_cost_chart,
    reach_chart,
    sentiment_chart,
    summary_markdown,
)
from sim.viz.network_view import draw_ego, sentiment_colorbar
from sim.viz.presets import preset_names

# Mesa 3.3's ComponentsView trips Solara's hook linter when imported; harmless, and not ours to fix.
warnings.filterwarnings(
    "ignore", message=r".*ComponentsView: `use_state` found despite early return"
)

# Imported after the filter, on purpose: the warning is raised at import time.
from mesa.visualization import SolaraViz, solara_viz  # noqa: E402

TITLE = "Social customer care: how one complaint spreads"
POPULATIONS = [2_000, 5_000, 10_000, 20_000, 50_000]
HELP = (
    "**How to use.** Pick the controls on the left, press **Reset** to start a run with them, then "
    "**Step** (one step = the simulated minutes set below) or **▶** to play and **❚❚** to pause. "
    "Solid lines: your strategy; dashed: the comparison, on the same people and the same seed. "
    "Start with 2 staff (an overwhelmed desk), then try 6."
)


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
            "value": 2,
            "min": 0,
            "max": 20,
            "step": 1,
            "label": "Care staff",
        },
        "response_target_min": {
            "type": "SliderInt",
            "value": 20,
            "min": 5,
            "max": 720,
            "step": 5,
            "label": "Response target (min)",
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
            "label": "Simulated minutes per step",
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
# Where each view sits on Mesa's 12-column grid (rows of 30 px): the network wide on top.
LAYOUT = [
    {"i": 0, "x": 0, "y": 0, "w": 8, "h": 16},
    {"i": 1, "x": 8, "y": 0, "w": 4, "h": 16},
    {"i": 2, "x": 0, "y": 16, "w": 6, "h": 11},
    {"i": 3, "x": 6, "y": 16, "w": 6, "h": 11},
    {"i": 4, "x": 0, "y": 27, "w": 6, "h": 11},
    {"i": 5, "x": 6, "y": 27, "w": 6, "h": 11},
]


def grid_layout(num_components: int) -> list[dict]:
    """The dashboard's initial layout of its views (Mesa's default puts everything half-width)."""
    if num_components != len(LAYOUT):
        return _mesa_grid_layout(num_components)
    return [{**item, "moved": False} for item in LAYOUT]


# Mesa 3.3 offers no layout argument; ComponentsView looks this function up at render time.
_mesa_grid_layout = solara_viz.make_initial_grid_layout
solara_viz.make_initial_grid_layout = grid_layout


def quiet_logging() -> None:
    """Mesa logs each step at INFO; keep the console to warnings."""
    for name in ("MESA", "mesa"):
        logging.getLogger(name).setLevel(logging.WARNING)


@solara.component
def Page():
    """The dashboard page (what `solara run` serves)."""
    quiet_logging()
    model = solara.use_memo(DashboardModel, [])
    SolaraViz(
        model, components=COMPONENTS, model_params=model_params(), name=TITLE, play_interval=150
    )
