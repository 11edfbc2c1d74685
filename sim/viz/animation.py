"""An animated GIF of a complaint spreading, for slides (matplotlib.animation, Pillow writer).

Each frame shows the ego network around the complainers for every recorded strategy (side by
side, same people in the same places) and, below, the number of people who have seen the
complaint so far, growing with a clock. Frames come from `sim.viz.recording.record_run`.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation, PillowWriter

from sim.viz.network_view import clock_text, draw_ego, sentiment_colorbar
from sim.viz.recording import REPLY, RUN_COLOURS, Recording


def spread_animation(recs: list[Recording], hours: float = 24.0, dpi: int = 72) -> FuncAnimation:
    """Build the animation of the first `hours` of the recorded runs."""
    n_frames = min(len(r.frames) for r in recs)
    frames = [i for i in range(n_frames) if recs[0].frames[i].t_min <= hours * 60.0]
    fig = plt.figure(figsize=(6.0 * len(recs) + 0.8, 8.6), dpi=dpi)
    top_grid = fig.add_gridspec(
        1, len(recs), left=0.01, right=0.9, top=0.87, bottom=0.3, wspace=0.03
    )
    net_axes = [fig.add_subplot(top_grid[0, j]) for j in range(len(recs))]
    curve_ax = fig.add_subplot(
        fig.add_gridspec(1, 1, left=0.1, right=0.9, top=0.24, bottom=0.07)[0, 0]
    )
    sentiment_colorbar(fig, net_axes)
    top = max(max(int(r.incident_reach[-1]) for r in recs), 1)

    def draw(k: int) -> list:
        i = frames[k]
        for ax, rec in zip(net_axes, recs):
            ax.clear()
            draw_ego(ax, rec.frames[i], title=rec.label, small=True, legend=ax is net_axes[0])
        t_min = recs[0].frames[i].t_min
        fig.suptitle(
            f"How one complaint spreads: {clock_text(t_min)}", fontsize=13, weight="bold", y=0.985
        )
        curve_ax.clear()
        for rec, colour in zip(recs, RUN_COLOURS):
            upto = int(t_min / rec.model.tick_min) + 1
            curve_ax.plot(
                rec.minutes[:upto] / 60.0,
                rec.incident_reach[:upto],
                color=colour,
                lw=2,
                label=f"{rec.label}: {int(rec.incident_reach[upto - 1]):,} people",
            )
            for tm, _, _ in rec.replies:
                if tm <= t_min:
                    h = tm / 60.0
                    curve_ax.plot(
                        [h],
                        [rec.incident_reach[int(tm / rec.model.tick_min)]],
                        "o",
                        color=REPLY,
                        ms=7,
                    )
        curve_ax.axvline(t_min / 60.0, color="black", lw=0.8)
        curve_ax.set_xlim(0, hours)
        curve_ax.set_ylim(0, top * 1.1)
        curve_ax.set_xlabel("hours since start (blue dot: the company replies)")
        curve_ax.set_ylabel("people who saw\nthe complaint")
        curve_ax.spines[["top", "right"]].set_visible(False)
        curve_ax.legend(loc="upper left", fontsize=9, frameon=False)
        return []

    return FuncAnimation(fig, draw, frames=len(frames), blit=False, repeat=False)


def save_gif(anim: FuncAnimation, path: str | Path, fps: int = 4, dpi: int = 72) -> None:
    """Write the animation as a GIF atomically (temporary .gif beside the target, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.partial.gif")
    try:
        anim.save(tmp, writer=PillowWriter(fps=fps), dpi=dpi)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
        plt.close(anim._fig)  # type: ignore[attr-defined]  # the figure is private in matplotlib
