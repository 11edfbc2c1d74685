"""The allowed values of the configuration's choice fields (standard library only)."""

ROLES = ("user", "networker", "opinion_leader", "trendsetter", "amplifier")
TRIAGE_ORDERS = ("fifo", "influence", "followers", "severity", "weighted")
REPLY_MODES = ("none", "public_then_private", "canned", "phone_redirect")
ORGANISATIONS = ("integrated", "siloed")
NETWORK_KINDS = ("heavy_tailed", "barabasi_albert", "watts_strogatz", "edgelist")
EDGELIST_FORMATS = ("auto", "text", "csv", "parquet")  # network.format of an edge-list file
# kinds of post, in the order of their codes in the post table (sim.customers.diffusion)
POST_KINDS = (
    "complaint",
    "reshare",
    "praise",
    "thanks",
    "brand_reply",
    "brand_statement",
    "followup",
    "peer_answer",
    "bot_reply",
    "mention",
)
