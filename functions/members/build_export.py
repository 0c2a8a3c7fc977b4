"""SQS (ExportRequested events): write each requested export to S3; failures retry, then the DLQ."""

from fitconnect.members import personal_data
from fitconnect.platform.consumers import domain_event_handler

handler = domain_event_handler(lambda data: personal_data.build_export(data["user_id"], data["export_id"]))
