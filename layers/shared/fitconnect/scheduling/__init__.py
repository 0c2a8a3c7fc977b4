"""Scheduling: the marketplace — trainers, their sessions, bookings and reviews."""
