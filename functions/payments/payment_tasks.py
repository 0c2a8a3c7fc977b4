"""SQS (BookingCancelled, WaitlistPromoted): refund by policy, cancel unpaid intents, and start the
payment of a waiter promoted to a held seat. Each step is repeatable."""

from fitconnect.payments import payments
from fitconnect.platform.consumers import routed_domain_event_handler

handler = routed_domain_event_handler(
    {
        "BookingCancelled": payments.on_booking_cancelled,
        "WaitlistPromoted": payments.on_waitlist_promoted,
    }
)
