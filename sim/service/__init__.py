"""The company's service desk: listening, triage, staff, channels, community, bot, delight."""
