"""What other contexts may use of notifications: asking for a notification (identity's reset code)
and forgetting a device's push endpoint (members' erasure). Everything else is notifications' own."""

from fitconnect.notifications.notifications import request
from fitconnect.notifications.push import forget as forget_device

__all__ = ["forget_device", "request"]
