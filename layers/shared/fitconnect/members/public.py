"""What other contexts may use of members: a member's profile (name, time zone, phone), members'
names (a roster), and push
devices, and the profile a new account is written with. Everything else in this package is members' own.

Loaded on first use (platform.faces): scheduling reads a profile on a few of its paths only."""

from fitconnect.platform.faces import lazy_face

_MODELS, _PROFILES = "fitconnect.members.models", "fitconnect.members.profiles"
_EXPORTS = {
    "Device": _MODELS,
    "Profile": _MODELS,
    "devices_of": _PROFILES,
    "names_of": _PROFILES,
    "new_profile": _PROFILES,
    "profile_of": _PROFILES,
    "timezone_of": _MODELS,
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_face(__name__, _EXPORTS)
