"""Coaching: the exercise catalogue, members' activity log, the explained analysis of their training
and the rule-based personal trainer (issue 16; being built)."""
