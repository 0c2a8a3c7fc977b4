"""What other contexts may use of inventory: the kinds of equipment the gym has registered (the
personal trainer plans with them). Everything else in this package is inventory's own."""

from fitconnect.inventory.equipment import fleet


def equipment_kinds() -> set[str]:
    return {str(machine.kind) for machine in fleet()}
