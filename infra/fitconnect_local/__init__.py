"""The Docker-free local runtime: template.yaml on moto, localstripe and an MQTT broker.

Start it with `make run` (or `python -m fitconnect_local`). Nothing in functions/ or layers/
knows it runs here: only endpoint configuration (AWS_ENDPOINT_URL, STRIPE_API_BASE) differs.
"""
