"""What other contexts may use of inventory: the kinds of equipment the gym has registered (the
personal trainer plans with them). Everything else in this package is inventory's own."""

from collections import Counter

from fitconnect.inventory.equipment import daily_usage, fleet


def equipment_kinds() -> set[str]:
    return {str(machine.kind) for machine in fleet()}


def usage_by_kind_and_day() -> dict[tuple[str, str], tuple[float, int]]:
    """Seconds in use per equipment kind and day (UTC; each machine keeps 90 days), with how many
    machines of the kind there are: the equipment report's figures."""
    machines = fleet()
    per_kind = Counter(str(machine.kind) for machine in machines)
    usage: dict[tuple[str, str], float] = {}
    for machine in machines:
        for day, seconds in daily_usage(machine).items():
            key = (str(machine.kind), day)
            usage[key] = usage.get(key, 0.0) + float(seconds)
    return {key: (seconds, per_kind[key[0]]) for key, seconds in usage.items()}
