"""$default route — any method and path no other route serves: 404 in API.md's error shape."""

from fitconnect.platform.http import error_result


def handler(event, context):
    return error_result(404, "route_not_found", "No such route: check the method and the path.")
