"""Notifications: preferences, messages for domain events and reminders, sending, the member's log."""
