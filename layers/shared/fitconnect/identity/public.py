"""What other contexts may use of identity: accounts read by id, the account model for the one
other write (a trainer's approval raises the role in the same transaction), and identity's part of
a member's export and erasure. Everything else in this package is identity's own
(tests/unit/test_structure.py holds the line)."""

from fitconnect.identity.accounts import account_of
from fitconnect.identity.models import Account
from fitconnect.identity.personal_data import erase, export, mark_deleted

__all__ = ["Account", "account_of", "erase", "export", "mark_deleted"]
