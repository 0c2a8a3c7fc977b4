"""What other contexts may use of payments: starting the payment of a held seat, a booking's
payment and what a client needs to pay it, and payments' part of a member's data export.
Everything else in this package is payments' own."""

from fitconnect.payments.payments import checkout, export_part, payment_of_booking, start_for_new_booking

__all__ = ["checkout", "export_part", "payment_of_booking", "start_for_new_booking"]
