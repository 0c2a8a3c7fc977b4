"""Payments: Stripe customers, PaymentIntents for held seats, signed webhooks applied once, refunds."""
