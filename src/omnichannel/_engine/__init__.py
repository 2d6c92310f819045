"""Orchestration: validate a call, turn it into arrays once, run a policy, build the result."""
