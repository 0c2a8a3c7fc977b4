"""SQS (ExportRequested events): write each requested export to S3, with scheduling's, payments',
pricing's and coaching's parts; failures retry, then the DLQ."""

from fitconnect.coaching import public as coaching
from fitconnect.members import personal_data
from fitconnect.payments import public as payments
from fitconnect.platform.consumers import domain_event_handler
from fitconnect.pricing import public as pricing
from fitconnect.scheduling import public as scheduling

PARTS = {
    "scheduling": scheduling.export_part,
    "payments": payments.export_part,
    "pricing": pricing.export_part,
    "coaching": coaching.export_part,
}

handler = domain_event_handler(
    lambda data: personal_data.build_export(data["user_id"], data["export_id"], PARTS)
)
