"""Operator tools for a deployed stage: its secrets (`make secrets`) and a smoke test (`make smoke`)."""
