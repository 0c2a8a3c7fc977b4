"""What other contexts may use of members: a member's profile (name, time zone, phone) and push
devices, and the profile a new account is written with. Everything else in this package is members' own."""

from fitconnect.members.models import Device, Profile, timezone_of
from fitconnect.members.profiles import devices_of, new_profile, profile_of

__all__ = ["Device", "Profile", "devices_of", "new_profile", "profile_of", "timezone_of"]
