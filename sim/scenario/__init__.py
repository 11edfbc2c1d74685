"""Scenario: the clock, chatter and incident schedules, scripted brand actions, and scenario files
made from social-listening exports (`ingest_read`, `ingest_measure`, `ingest_scenario`)."""
