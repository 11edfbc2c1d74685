"""Scenario: the clock, chatter and incident schedules, and scripted brand actions."""
