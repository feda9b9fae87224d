"""A local stand-in of the few Google endpoints export-google-sheets uses: the
OAuth token endpoint, Drive v3 files (list, create, get, update, copy) and
Sheets v4 spreadsheets (get, batchUpdate, values update), with an in-memory
Drive. Built from what the Python module sends (every request is appended to
LOG as a JSON line). `GET /_state` returns the Drive as paths, sheets, cells
and formats, without ids, for comparison.

    python standin.py PORT LOG
"""
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

FOLDER = "application/vnd.google-apps.folder"
SHEET = "application/vnd.google-apps.spreadsheet"
LOCK = threading.Lock()
FILES = {"root-folder": {"name": "", "mimeType": FOLDER, "parents": [], "trashed": False}}
BOOKS = {}
COUNTER = [0]


def new_id(prefix):
    COUNTER[0] += 1
    return f"{prefix}-{COUNTER[0]}"


def new_book(fid):
    BOOKS[fid] = {"sheets": [{"sheetId": 0, "title": "Sheet1"}], "cells": {0: {}}, "formats": {0: []}, "next": 1}


def matches(f, q):
    for clause in q.split(" and "):
        clause = clause.strip()
        m = re.fullmatch(r"name = '(.*)'", clause)
        if m and f["name"] != m.group(1):
            return False
        m = re.fullmatch(r"mimeType (!?=) '(.*)'", clause)
        if m and ((f["mimeType"] == m.group(2)) != (m.group(1) == "=")):
            return False
        m = re.fullmatch(r"'(.*)' in parents", clause)
        if m and m.group(1) not in f["parents"]:
            return False
    return not f["trashed"]


def sheet_by_id(book, sid):
    return next(s for s in book["sheets"] if s["sheetId"] == sid)


def batch(book, requests):
    replies = []
    for r in requests:
        if "addSheet" in r:
            props = dict(r["addSheet"]["properties"])
            sid = book["next"]
            book["next"] += 1
            book["sheets"].append({"sheetId": sid, "title": props.get("title", "")})
            book["cells"][sid] = {}
            book["formats"][sid] = []
            replies.append({"addSheet": {"properties": {"sheetId": sid, "title": props.get("title", ""), "index": len(book["sheets"]) - 1}}})
        elif "deleteSheet" in r:
            sid = r["deleteSheet"]["sheetId"]
            book["sheets"] = [s for s in book["sheets"] if s["sheetId"] != sid]
            replies.append({})
        elif "updateSheetProperties" in r:
            p = r["updateSheetProperties"]["properties"]
            sheet_by_id(book, p["sheetId"])["title"] = p["title"]
            replies.append({})
        elif "repeatCell" in r:
            rc = r["repeatCell"]
            rng = {k: v for k, v in rc["range"].items() if k != "sheetId"}
            book["formats"][rc["range"]["sheetId"]].append({"range": rng, "format": rc["cell"]["userEnteredFormat"]})
            replies.append({})
        else:
            raise ValueError(f"unsupported request {r}")
    return {"replies": replies}


def path_of(fid):
    f = FILES[fid]
    parts = []
    while f["parents"]:
        parts.append(f["name"])
        f = FILES[f["parents"][0]]
    return "/".join(reversed(parts))


def state():
    out = {}
    for fid, f in FILES.items():
        if f["trashed"] or fid == "root-folder":
            continue
        if f["mimeType"] == FOLDER:
            out[path_of(fid) + "/"] = "folder"
        else:
            b = BOOKS[fid]
            out[path_of(fid)] = [
                {"title": s["title"],
                 "cells": {k: v for k, v in sorted(b["cells"][s["sheetId"]].items())},
                 "formats": b["formats"][s["sheetId"]]}
                for s in b["sheets"]
            ]
    return out


def col_name(i):
    return chr(ord("A") + i)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, doc):
        data = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ctype = self.headers.get("Content-Type") or ""
        if "json" in ctype and raw:
            body = json.loads(raw)
        elif raw:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        else:
            body = None
        path = unquote(url.path)
        with LOCK:
            with open(sys.argv[2], "a") as log:
                shown = dict(body) if isinstance(body, dict) else body
                if isinstance(shown, dict) and "assertion" in shown:
                    shown["assertion"] = "<jwt>"
                log.write(json.dumps({"method": method, "path": path, "query": query, "body": shown}) + "\n")
            try:
                code, doc = self.route(method, path, query, body)
            except Exception as e:  # the stand-in's own error, shown to the caller
                code, doc = 400, {"error": {"code": 400, "message": f"stand-in: {type(e).__name__}: {e}"}}
        self.reply(code, doc)

    def route(self, method, path, query, body):
        if path == "/_state":
            return 200, state()
        if path == "/token":
            assert body["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
            return 200, {"access_token": "standin-token", "expires_in": 3600, "token_type": "Bearer"}
        if path == "/drive/v3/files" and method == "GET":
            found = [{"id": fid, "name": f["name"]} for fid, f in FILES.items() if matches(f, query["q"])]
            return 200, {"files": found[: int(query.get("pageSize", 100))]}
        if path == "/drive/v3/files" and method == "POST":
            fid = new_id("file")
            FILES[fid] = {"name": body["name"], "mimeType": body.get("mimeType", ""),
                          "parents": body.get("parents") or ["root-folder"], "trashed": False}
            if FILES[fid]["mimeType"] == SHEET:
                new_book(fid)
            return 200, {"id": fid, "name": body["name"], "mimeType": FILES[fid]["mimeType"]}
        m = re.fullmatch(r"/drive/v3/files/([^/]+)(/copy)?", path)
        if m:
            fid = m.group(1)
            f = FILES[fid]
            if m.group(2):
                cid = new_id("file")
                FILES[cid] = {"name": body["name"], "mimeType": f["mimeType"], "parents": body["parents"], "trashed": False}
                BOOKS[cid] = json.loads(json.dumps(BOOKS[fid]))
                BOOKS[cid]["cells"] = {int(k): v for k, v in BOOKS[cid]["cells"].items()}
                BOOKS[cid]["formats"] = {int(k): v for k, v in BOOKS[cid]["formats"].items()}
                return 200, {"id": cid}
            if method == "GET":
                return 200, {"id": fid, "parents": f["parents"]}
            if method == "PATCH":
                if "addParents" in query:
                    f["parents"] = [p for p in f["parents"] if p not in query.get("removeParents", "").split(",")]
                    f["parents"].append(query["addParents"])
                if body and body.get("trashed"):
                    f["trashed"] = True
                return 200, {"id": fid, "parents": f["parents"]}
        m = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(:batchUpdate|/values/(.*))?", path)
        if m:
            book = BOOKS[m.group(1)]
            if m.group(2) == ":batchUpdate":
                return 200, batch(book, body["requests"])
            if m.group(3):
                title, start = re.fullmatch(r"'(.*)'!A1", m.group(3)).groups() + (None,)
                sheet = next(s for s in book["sheets"] if s["title"] == title)
                cells = book["cells"][sheet["sheetId"]]
                for r, row in enumerate(body["values"]):
                    for c, v in enumerate(row):
                        if v is not None:
                            cells[f"{col_name(c)}{r + 1}"] = v
                return 200, {"spreadsheetId": m.group(1), "updatedRange": m.group(3)}
            return 200, {"spreadsheetId": m.group(1), "properties": {"title": "x"},
                         "sheets": [{"properties": {"sheetId": s["sheetId"], "title": s["title"], "index": i,
                                                    "sheetType": "GRID",
                                                    "gridProperties": {"rowCount": 1000, "columnCount": 26}}}
                                    for i, s in enumerate(book["sheets"])]}
        return 404, {"error": {"code": 404, "message": f"stand-in: no route for {method} {path}"}}

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_PUT(self):
        self.handle_any("PUT")


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
