"""What the company really did in a documented case, and customers who go straight to service.

Two scenario mechanics that run whatever the strategy:

* Scripted brand actions (`scenario.actions`): what the company really did, part of the
  scenario's documented strategy, so they run only under that strategy (`scenario.strategy`;
  any other strategy is a what-if without them). At a given hour the brand answers the first
  named complainer of an incident in public (`reply`), resolves the case with an offer
  (`resolve`, e.g. United compensating the musician two days after his video), or posts a
  public statement (`statement`). If the desk already answered or resolved the case, the
  scripted action does nothing.
* Direct contacts (`incident.contact_share`): a share of the incident's victims contact service
  themselves (rebooking after a weather disruption), on the web with probability
  `strategy.web_share`, else on the phone line; the channels' capacity makes them queue. These
  contacts are not social complaints: they never count among `complaints`. A down-scaled run
  simulates only its own share of them (channel capacities are not scaled), so a scenario that
  uses them is meant to run at its reference size.

All draws are keyed (common to every strategy of a replicate).
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import BrandAction
from sim.customers.population import BRAND_NODE
from sim.engine.protocols import HubModel
from sim.engine.rng import derive, keyed_uniform
from sim.engine.streams import salt
from sim.service.cases import Case


def schedule_scripted(model: HubModel, victims: list[np.ndarray]) -> None:
    """Put the scenario's scripted actions and direct contacts on the model's calendar."""
    sc = model.cfg.scenario
    model.direct_contacts = []
    documented = model.cfg.strategy.name == sc.strategy
    for i, action in enumerate(sc.actions if documented else ()):
        model.schedule(_tick(model, action.at_h), _act, model, i, action)
    key = model.streams.key("direct-contacts")
    for j, inc in enumerate(sc.incidents):
        hit = np.asarray(victims[j], dtype=np.int64)
        if inc.contact_share <= 0 or hit.size == 0:
            continue
        callers = hit[keyed_uniform(derive(key, j), hit, salt("contact.calls")) < inc.contact_share]
        u = keyed_uniform(derive(key, j), callers, salt("contact.delay"))
        delays = np.ceil(-inc.contact_delay_min * np.log1p(-u) / model.tick_min).astype(np.int64)
        t0 = _tick(model, inc.at_h)
        for person, d in zip(callers.tolist(), delays.tolist()):
            model.schedule(t0 + max(1, d), _contact, model, j, person)


def _tick(model: HubModel, hours: float) -> int:
    return int(round(hours * 60.0 / model.tick_min))


def _named_case(model: HubModel, incident: int) -> Case | None:
    sc = model.cfg.scenario
    name = sc.incidents[incident].complainers[0]
    node = 1 + [a.name for a in sc.accounts].index(name)
    return model.desk.case_of_author.get(node)


def _act(model: HubModel, i: int, action: BrandAction) -> None:
    desk = model.desk
    if action.kind == "statement":
        _statement(model, i)
        return
    case = _named_case(model, action.incident)
    if case is None:  # the complaint has not been posted yet
        return
    if case.first_response < 0:
        case.awaiting = True
        desk.outcomes.respond(case, "brand_reply", BRAND_NODE, valence=1, canned=False)
        model.log_event("scripted_reply", case.author, case.post)
    if action.kind == "resolve" and not case.resolved:
        desk.outcomes.resolved(case, compensation=action.compensation)
        model.log_event("scripted_resolve", case.author, case.post)


def _statement(model: HubModel, i: int) -> None:
    key = model.streams.key("scripted")
    model.desk.statements.post(derive(key, salt("post.scripted_statement"), i))


def _contact(model: HubModel, j: int, person: int) -> None:
    """A victim contacts service directly: web self-service or the phone line."""
    desk, inc = model.desk, model.cfg.scenario.incidents[j]
    case = Case(
        id=len(model.direct_contacts),
        author=person,
        post=-1 - j,
        tick=model.tick,
        severity=inc.severity,
        followers=int(model.pop.followers[person]),
        influence=int(model.pop.influence[person]),
    )
    model.direct_contacts.append(case)
    desk.direct_contact(case)


def contact_waits_min(model: HubModel, channel: str) -> np.ndarray:
    """Minutes each served direct contact of `channel` waited (from contact to service)."""
    served = [c for c in model.direct_contacts if c.channel == channel and c.closed >= 0]
    return np.array([(c.closed - c.tick) * model.tick_min for c in served], dtype=np.float64)
