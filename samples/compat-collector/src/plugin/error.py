"""Errors of the Kestrel collector, in the framework's error family.

Each class keeps its name as the error code and its status; the message is
formatted from the keyword arguments.
"""

from spaceone.core.error import ERROR_INVALID_ARGUMENT, ERROR_UNKNOWN


class ERROR_KESTREL_API_URL(ERROR_INVALID_ARGUMENT):
    _message = (
        "The Kestrel API address is not set: give options.api_url or set the "
        "KESTREL_API_URL environment variable."
    )


class ERROR_KESTREL_API(ERROR_UNKNOWN):
    _message = "The Kestrel API answered HTTP {status} for {path}: {reason}"


class ERROR_KESTREL_UNREACHABLE(ERROR_UNKNOWN):
    _message = "The Kestrel API at {url} cannot be reached: {reason}"


class ERROR_UNKNOWN_REGION(ERROR_INVALID_ARGUMENT):
    _message = "Region '{region_code}' is not one of the account's regions ({known})."
