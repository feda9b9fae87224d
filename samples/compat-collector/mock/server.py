"""A stand-in for the Kestrel Cloud API, on 127.0.0.1 only (standard library only).

    python mock/server.py PORT DATA.json

DATA.json holds ``api_keys`` (the keys accepted as ``Authorization: Bearer KEY``)
and ``routes``: for each path, ``{"body": ...}`` answered with status 200, or
``{"status": N, "body": ...}`` for another status. Any other path answers 404. A
request without an accepted key answers 401. The answers never change, so the
plugin's output is the same on every run.

Stop it with SIGTERM or Ctrl-C.
"""

import http.server
import json
import signal
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    keys = set(data.get("api_keys", []))
    routes = {}
    for route, answer in data.get("routes", {}).items():
        body = json.dumps(answer.get("body"), ensure_ascii=False).encode("utf-8")
        routes[route] = (int(answer.get("status", 200)), body)
    return keys, routes


def make_handler(keys, routes):
    def reply(handler, status, body):
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            auth = self.headers.get("Authorization", "")
            token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
            if token not in keys:
                reply(self, 401, b'{"error": "invalid or missing API key"}')
                return
            path = self.path.split("?", 1)[0]
            status, body = routes.get(path, (404, b'{"error": "no such resource"}'))
            reply(self, status, body)

        def log_message(self, *args):
            pass

    return Handler


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: server.py PORT DATA.json\n")
        return 2
    port = int(argv[1])
    keys, routes = load(argv[2])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(keys, routes))
    server.daemon_threads = True

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
