"""Inventory: the gym's equipment, its telemetry over MQTT (IoT Core), status, usage and recommendations."""
