# Loaded by the Python spacectl in the Sheets test (on PYTHONPATH): sends the
# module's calls to Google's API hosts to the local stand-in named by
# SHEETS_STANDIN_URL instead, and skips the module's pauses; unchanged otherwise.
import os

_base = os.environ.get("SHEETS_STANDIN_URL", "").rstrip("/")


def _local(url):
    for host in ("https://www.googleapis.com", "https://sheets.googleapis.com"):
        if _base and isinstance(url, str) and url.startswith(host):
            return _base + url[len(host):]
    return url


try:
    import httplib2

    _request = httplib2.Http.request

    def _http_request(self, uri, *args, **kwargs):
        return _request(self, _local(uri), *args, **kwargs)

    httplib2.Http.request = _http_request
except ImportError:
    pass

try:
    import requests

    _session_request = requests.Session.request

    def _requests_request(self, method, url, *args, **kwargs):
        return _session_request(self, method, _local(url), *args, **kwargs)

    requests.Session.request = _requests_request
except ImportError:
    pass

# The module pauses (3 s, then 5 s per worksheet) between calls for Google's
# quotas; the stand-in has none, so the module's own pauses are skipped.
import sys
import time

_sleep = time.sleep


def _sleep_unless_the_module(seconds):
    caller = sys._getframe(1).f_globals.get("__name__", "")
    if _base and caller.endswith("export_google_sheets"):
        return None
    return _sleep(seconds)


time.sleep = _sleep_unless_the_module
