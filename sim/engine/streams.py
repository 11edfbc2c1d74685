"""Named random streams and named draws: the registry of every purpose randomness serves.

Two kinds of names:

* **Streams** (`STREAMS`): the children of the root seed (`sim.engine.rng.Streams`), one per
  purpose, such as "network" or "service"; a stream gives a Generator or a 64-bit key.
* **Draws** (`DRAWS`): each keyed draw made from a stream's key ("listening.delay",
  "post.reply", ...). Its salt is `salt(name)`, a number derived from the name; what varies
  within one purpose (a follow-up's number, a hand-off's number, an index) is passed as a
  separate part of the key (`derive(key, salt(name), part)`), never added to the salt. So two
  purposes cannot share a key, however many follow-ups or hand-offs a case has.

`salt` refuses a name that is not registered here, so a new draw must be added (with its
description) and a test checks that no two registered names share a salt.
"""

from __future__ import annotations

import zlib

STREAMS: dict[str, str] = {
    "network": "the follower graph (generators)",
    "population": "traits of the people",
    "chatter": "background posts: when, who, which valence",
    "incident": "incident victims",
    "workload": "the unseen workload: arrivals, severities, complainers",
    "exposure": "keys of new cascades without a key of their own",
    "chatter-posts": "keys of background posts",
    "incident-posts": "who of the victims complains, when, and their posts' keys",
    "service": "every draw of the service desk about a case",
    "delight": "proactive delight's draws about a mention",
    "scripted": "keys of the scenario's scripted statements",
    "direct-contacts": "victims who contact service directly, and when",
    "churn": "who of the very negative customers churns",
}

DRAWS: dict[str, str] = {
    # customers: diffusion (sim.customers.diffusion, sim.customers.kernels)
    "diffusion.see": "whether a follower sees a post",
    "diffusion.view_delay": "when a follower sees a post",
    "diffusion.reshare": "whether a viewer reshares",
    "cascade.edge": "edges of an independent-cascade run (sim.customers.kernels)",
    "post.original": "key of a post made without one (author, kind, tick)",
    "post.reshare": "key of a reshare (resharer)",
    "post.reshare_copy": "key of a further copy of a reshare (an account's scaled-down shares)",
    # engine: incidents, chatter, follow-ups (sim.engine.model)
    "incident.speaks": "whether a victim complains in public",
    "incident.delay": "when a victim complains",
    "post.incident": "key of an incident's complaint (incident, person)",
    "post.chatter": "key of a background post (its index)",
    "post.followup": "key of a follow-up (its number)",
    "lifecycle.followup": "hazard threshold (unit exponential) of a follow-up (its number)",
    "case.patience": "how long a complainer waits for a first answer before giving up",
    # service: the unseen workload and listening (sim.service.desk, sim.service.listening)
    "workload.case": "key of an unseen case (its index)",
    "listening.post": "listening key of a simulated post (the post's key)",
    "listening.unseen": "listening key of an unseen complaint (its index)",
    "listening.found": "whether listening finds a post",
    "listening.delay": "when listening finds a case (the follow-up number)",
    "handoff.loss": "whether a siloed hand-off is lost (the hand-off number)",
    "handoff.delay": "how long a siloed hand-off takes (the hand-off number)",
    # service: answers (bot, community, staff, channels, outcomes)
    "bot.backfire": "whether the bot angers a severe complainer",
    "bot.resolves": "whether the bot resolves a case",
    "community.wait": "how long a super-user takes to answer",
    "community.resolves": "whether a super-user resolves a case",
    "staff.handling": "how long a care agent works a case",
    "staff.resolves": "whether a care agent resolves a case",
    "channel.uptake": "whether a redirected customer does call (or go to the web)",
    "channel.web": "whether a customer uses the web rather than the phone",
    "channel.delay": "when a redirected customer gets through",
    "channel.resolves": "whether a phone or web contact resolves the case",
    "outcome.thanks": "whether a resolved complainer posts thanks",
    "post.reply": "key of the public reply to a case",
    "post.thanks": "key of a resolved complainer's thanks",
    "post.statement": "key of the strategy's public statement",
    "post.scripted_statement": "key of a scripted statement (the action's index)",
    # delight (sim.service.delight)
    "delight.mention": "delight key of a mention (the post's key)",
    "delight.found": "whether the listening team finds the mention",
    "delight.budget": "whether a surprise happens on the last of the day's budget",
    "delight.posts": "whether a delighted customer posts about it",
    "delight.post_delay": "when a delighted customer posts",
    "delight.brand_reshare": "whether the brand reshares that post",
    "delight.brand_copies": "whether the brand's share stands for one more real share",
    "post.delight": "key of a delighted customer's post",
    # scenario: direct contacts (sim.scenario.scripted)
    "contact.calls": "whether a victim contacts service directly",
    "contact.delay": "when a victim contacts service",
}


def name_key(name: str) -> int:
    """A stable 32-bit number for a name (a stream's spawn key, a draw's salt)."""
    return zlib.crc32(name.encode("utf-8"))


_SALTS = {name: name_key(name) for name in DRAWS}


def salt(name: str) -> int:
    """The salt of the registered draw `name`.

    Raises:
        KeyError: `name` is not in `DRAWS` (register a new draw there, with its description).
    """
    try:
        return _SALTS[name]
    except KeyError:
        raise KeyError(f"draw {name!r} is not registered in sim.engine.streams.DRAWS") from None
