"""Pricing options: products (memberships, class packs), purchases, the member's entitlements,
promo codes and late-cancel / no-show penalties."""
