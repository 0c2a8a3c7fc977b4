"""Members: the profile, avatar, push devices, and GDPR export and erasure of a member's data."""
