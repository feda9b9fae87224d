# Loaded by the Python spacectl in the Sheets test (on PYTHONPATH): sends the
# module's calls to Google's API hosts to the local stand-in named by
# SHEETS_STANDIN_URL instead, unchanged otherwise.
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
