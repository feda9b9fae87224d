"""Python handler runner for the spacectl plugin host.

Started by the host as ``python runner.py``; it loads the plugin package named in
the environment and serves the handler protocol (docs/plugin-protocol.md): one
JSON object per line on the protocol input and output. Requests run on up to
``SPACEONE_PLUGIN_WORKERS`` threads at once (like upstream's server), each on the
thread that read it and with its own transaction, and their replies are
interleaved line by line.

Two kinds of plugin apps are served:

* SDK apps, built with the ``spaceone_plugin_sdk`` module shipped by the host;
* apps built on one of upstream's plugin libraries (``CollectorPluginServer`` of
  spaceone-inventory, ``DataSourcePluginServer`` of spaceone-cost-analysis, ...),
  when that framework is importable by this interpreter. Only the server layer is
  replaced: the plugin's own code and helper calls run unchanged.

Standard library only; Python 3.8 or newer.
"""

import datetime
import importlib
import importlib.util
import inspect
import json
import logging
import os
import sys
import threading
import time
import traceback
import types

PROTOCOL_VERSION = 1
_HERE = os.path.dirname(os.path.abspath(__file__))


class StartupFailure(Exception):
    """The plugin could not be loaded; ``text`` is the one-line report."""

    def __init__(self, text, exit_code=1):
        super().__init__(text)
        self.text = text
        self.exit_code = exit_code


class UnknownMethod(Exception):
    pass


# --- protocol channel ---------------------------------------------------------


def take_protocol_channel():
    """Move the protocol to private descriptors.

    Plugin code may print or read the standard streams; neither may touch the
    protocol. File descriptor 1 is pointed at stderr and 0 at /dev/null, and the
    original pipes are kept on non-inheritable duplicates.
    """
    sys.stdout.flush()
    proto_in_fd = os.dup(0)
    proto_out_fd = os.dup(1)
    os.dup2(2, 1)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.close(null_fd)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull, "r")
    proto_in = os.fdopen(proto_in_fd, "rb", buffering=0)
    proto_out = os.fdopen(proto_out_fd, "wb")
    widen_pipe(proto_out_fd)
    return proto_in, proto_out


PIPE_BYTES = 1024 * 1024


def widen_pipe(fd):
    """Let the protocol output hold up to ``PIPE_BYTES`` (Linux pipes hold 64 KiB),
    so a stream's batches seldom wait for the host to read. Where the system
    refuses (another system, a lower limit for this user), the pipe stays as it is."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass


def _json_default(value):
    # Upstream's models accept a generator wherever they expect a list (for
    # example the tasks of Job.get_tasks), so a generator travels as its items.
    if isinstance(value, types.GeneratorType):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode(message):
    """One protocol line (bytes, newline terminated); raises on values JSON cannot carry."""
    text = json.dumps(
        message, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_json_default
    )
    return text.encode("utf-8") + b"\n"


def item_encoder(rid):
    """Encodes the items of the stream request ``rid`` as protocol lines: the
    same text as ``encode({"id": rid, "item": item})``, with the encoder made
    once per stream instead of once per item."""
    prefix = encode({"id": rid})[:-2] + b',"item":'
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        dumps = json.JSONEncoder(
            ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_json_default
        ).encode
    else:
        # json.dumps' own C encoder with the arguments of encode(), made once
        # for the stream (an error ends the stream, so no item follows one).
        encoder = make({}, _json_default, json.encoder.encode_basestring, None, ":", ",", False, False, False)

        def dumps(item, encoder=encoder, basestring=json.encoder.encode_basestring):
            if isinstance(item, str):
                return basestring(item)
            return "".join(encoder(item, 0))

    def line(item):
        return prefix + dumps(item).encode("utf-8") + b"}\n"

    return line


class Channel:
    """The protocol output, shared by the request threads.

    Final replies (``write``, ``send``) are written at once, whole and in order
    after the items of their stream. Stream items (``write_item``) are gathered
    and written in batches by a flusher thread: it runs as soon as the threads
    producing items block (waiting for a plugin's own I/O) or the interpreter
    switches threads (every few milliseconds), so a fast stream costs one write,
    and one wake-up of the host, per batch instead of per item, and an item never
    waits longer than that switch interval. A producer that gets more than
    ``ITEM_BUFFER`` bytes ahead of the pipe writes the batch itself, so a host that
    reads slowly holds the producers up instead of filling memory.
    """

    ITEM_BUFFER = 256 * 1024

    def __init__(self, out):
        self.out = out
        self.lock = threading.Lock()  # writing to ``out``
        # ``pending`` is guarded by ``pending_mutex``; the flusher waits on
        # ``pending_lock`` (the same lock), the producers take the lock itself.
        self.pending_mutex = threading.Lock()
        self.pending_lock = threading.Condition(self.pending_mutex)
        self.pending = []
        self.pending_bytes = 0
        self.flusher = None

    def write(self, line):
        with self.lock:
            with self.pending_mutex:
                batch = self.take_pending()
            batch.append(line)
            self.out.write(b"".join(batch))
            self.out.flush()

    def send(self, message):
        self.write(encode(message))

    def write_item(self, line):
        with self.pending_mutex:
            self.pending.append(line)
            self.pending_bytes += len(line)
            if self.pending_bytes < self.ITEM_BUFFER:
                if len(self.pending) == 1:
                    if self.flusher is None:
                        self.flusher = threading.Thread(target=self.flush_loop, name="item-flusher", daemon=True)
                        self.flusher.start()
                    self.pending_lock.notify()
                return
        self.flush()

    def take_pending(self):
        # Called with pending_lock held.
        batch, self.pending, self.pending_bytes = self.pending, [], 0
        return batch

    def flush(self):
        with self.lock:
            with self.pending_mutex:
                batch = self.take_pending()
            if batch:
                self.out.write(b"".join(batch))
                self.out.flush()

    def flush_before_exit(self):
        """Write the pending items on the way out of the process, unless the output
        stays busy for a second (a host that no longer reads) or is broken."""
        if not self.lock.acquire(timeout=1):
            return
        try:
            with self.pending_lock:
                batch = self.take_pending()
            if batch:
                self.out.write(b"".join(batch))
                self.out.flush()
        except Exception:
            pass
        finally:
            self.lock.release()

    def flush_loop(self):
        try:
            while True:
                with self.pending_lock:
                    while not self.pending:
                        self.pending_lock.wait()
                self.flush()
        except BaseException:
            # The host is gone (or the pipe broke): nothing more can be sent.
            traceback.print_exc()
            os._exit(1)


def read_lines(stream):
    """Yield raw lines from an unbuffered binary stream until end of input."""
    pending = b""
    while True:
        chunk = stream.read(65536)
        if not chunk:
            if pending.strip():
                yield pending
            return
        pending += chunk
        while True:
            cut = pending.find(b"\n")
            if cut < 0:
                break
            line, pending = pending[:cut], pending[cut + 1 :]
            if line.strip():
                yield line


def watch_parent(parent=None):
    """Exit when the host (``parent``, default: this process's parent) goes away,
    even while a route is still running."""
    parent = parent or os.getppid()

    def loop():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    thread = threading.Thread(target=loop, name="parent-watch", daemon=True)
    thread.start()


# --- loading the plugin ---------------------------------------------------------


def set_import_path(source_root, module_paths):
    # The runner's own directory (which also holds the bundled SDK) goes last, so a
    # copy of the SDK vendored by the project takes precedence.
    if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
        del sys.path[0]
    if _HERE not in sys.path:
        sys.path.append(_HERE)
    # Same order as the upstream CLI: source root first, then each module path in
    # front of it (the last one given wins).
    if source_root not in sys.path:
        sys.path.insert(0, source_root)
    for path in module_paths:
        if path not in sys.path:
            sys.path.insert(0, path)


def import_package(package):
    try:
        __import__(package)
    except Exception as e:
        # A package that is not there needs no traceback: the host says where it
        # was looked for. A failure inside the package does.
        missing = isinstance(e, ModuleNotFoundError) and e.name == package.split(".")[0]
        if not missing:
            traceback.print_exc()
        raise StartupFailure(
            f"Exception: The package({package}) can not imported. Please check the module path."
        )


def prepare_upstream_config(package, app_path, workers):
    """Initialise the upstream framework's global config the way its CLI does.

    Upstream plugin modules read it while they are imported (the server object
    loads its own configuration for the package). Nothing happens when the
    framework is not installed.
    """
    try:
        spec = importlib.util.find_spec("spaceone.core.config")
    except (ImportError, ValueError):
        return
    if spec is None:
        return
    try:
        from spaceone.core import config
    except Exception:
        return
    init_conf = getattr(config, "init_conf", None)
    if callable(init_conf):
        init_conf(package=package, worker=workers or None, plugin_app_path=app_path)


def import_app(package, app_path):
    try:
        formatted = app_path.format(package=package)
        module_path, app_name = formatted.split(":")
    except Exception as e:
        raise StartupFailure(f"{type(e).__name__}: {e}")
    try:
        module = __import__(module_path, fromlist=[app_name])
    except Exception as e:
        traceback.print_exc()
        raise StartupFailure(f"ImportError: Cannot import app: {e}")
    # Upstream reads the attribute literally named "app"; the name after ':' is ignored.
    if not hasattr(module, "app"):
        raise StartupFailure(
            f"ImportError: Cannot import app: App is not defined. (app_path = {package}.{formatted})"
        )
    return getattr(module, "app")


def package_directory(package):
    top = sys.modules.get(package.split(".")[0])
    paths = list(getattr(top, "__path__", []) or [])
    if paths:
        return os.path.abspath(paths[0])
    origin = getattr(top, "__file__", None)
    if origin:
        return os.path.dirname(os.path.abspath(origin))
    return ""


# --- route tables ---------------------------------------------------------------


_REQUEST = threading.local()


def current_request():
    """(trace id, method) of the request the calling thread serves, or empty strings."""
    return getattr(_REQUEST, "trace_id", ""), getattr(_REQUEST, "method", "")


def app_classes(app):
    """The classes of the app's MRO as ``module:QualName`` (the host recognises a
    library class even when the plugin subclasses it)."""
    return [f"{c.__module__}:{c.__qualname__}" for c in type(app).__mro__]


class SdkRoutes:
    """Routes of an app built with spaceone_plugin_sdk."""

    mode = "sdk"

    def __init__(self, app):
        self.app = app
        kind = getattr(app, "plugin_kind", None)
        self.declared_kind = kind if isinstance(kind, str) and kind else None

    def convert(self, params, names):
        # SDK functions receive the request's text, as the host validated it.
        return params

    def begin(self, method, trace_id):
        _REQUEST.trace_id, _REQUEST.method = trace_id or "", method

    def end(self):
        _REQUEST.trace_id, _REQUEST.method = "", ""

    def routes(self):
        return list(self.app.plugin_routes())

    def lookup(self, method):
        if not self.app.is_plugin_method(method):
            raise UnknownMethod(method)
        return self.app.get_plugin_method(method)


class UpstreamRoutes:
    """Routes registered on an upstream ``PluginServer`` subclass.

    Upstream keeps, per class name, the service class and its allowed methods; the
    service class stores the registered functions by method name and its service
    layer looks them up at call time with ``get_plugin_method``. The same lookup is
    done here, per request.
    """

    mode = "compat"
    declared_kind = None

    def __init__(self, app):
        self.table = getattr(app, "_plugin_methods")
        self.transactions = upstream_transactions()
        self.parse_datetime = None

    def convert(self, params, names):
        """Turn the parameters named in ``names`` (top-level keys, or dotted paths
        into nested dicts) into ``datetime`` objects, as upstream's request models
        do before the plugin function sees them; absent and null values stay."""
        if not isinstance(names, list) or not isinstance(params, dict):
            return params
        if self.parse_datetime is None:
            self.parse_datetime = pydantic_datetime_parser()
        for name in names:
            *parents, leaf = str(name).split(".")
            node = params
            for key in parents:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict) and node.get(leaf) is not None:
                node[leaf] = self.parse_datetime(node[leaf])
        return params

    def begin(self, method, trace_id):
        # Like upstream's service layer: each request runs in its own transaction,
        # which the framework's log records and CoreObject.transaction see.
        _REQUEST.trace_id, _REQUEST.method = trace_id or "", method
        if self.transactions is not None:
            resource, _, verb = method.partition(".")
            self.transactions.begin(resource, verb, trace_id)

    def end(self):
        _REQUEST.trace_id, _REQUEST.method = "", ""
        if self.transactions is not None:
            self.transactions.end()

    def routes(self):
        found = []
        for class_name, entry in self.table.items():
            service = entry.get("service")
            for method_name in entry.get("methods", []):
                if service is not None and service.get_plugin_method(method_name) is not None:
                    found.append(f"{class_name}.{method_name}")
        return found

    def lookup(self, method):
        class_name, _, method_name = method.partition(".")
        entry = self.table.get(class_name)
        if not entry or method_name not in entry.get("methods", []):
            raise UnknownMethod(method)
        return entry["service"].get_plugin_method(method_name)


class UpstreamTransactions:
    """spaceone.core's per-thread transactions, created and deleted per request."""

    def __init__(self, transaction_module, config_module):
        self.create = transaction_module.create_transaction
        self.delete = transaction_module.delete_transaction
        self.config = config_module
        try:
            self.by_thread = "thread_id" in inspect.signature(self.create).parameters
        except (TypeError, ValueError):
            self.by_thread = False

    def begin(self, resource, verb, trace_id):
        try:
            service = self.config.get_service()
        except Exception:
            service = None
        kwargs = {"trace_id": trace_id or None, "meta": {}}
        if self.by_thread:
            kwargs["thread_id"] = str(threading.current_thread().ident)
        try:
            self.create(service, resource, verb, **kwargs)
        except Exception:
            traceback.print_exc()

    def end(self):
        try:
            self.delete()
        except Exception:
            traceback.print_exc()


def pydantic_datetime_parser():
    """pydantic's own datetime parsing (v2 ``TypeAdapter``, v1 ``parse_obj_as``): the
    upstream libraries validate their request models with it."""
    try:
        import pydantic
    except Exception as e:
        raise RuntimeError(f"Cannot convert datetime parameters: pydantic is not importable ({e})")
    adapter = getattr(pydantic, "TypeAdapter", None)
    if adapter is not None:
        return adapter(datetime.datetime).validate_python
    parse_obj_as = getattr(pydantic, "parse_obj_as", None)
    if parse_obj_as is None:
        raise RuntimeError("Cannot convert datetime parameters: pydantic has no datetime parser")
    return lambda value: parse_obj_as(datetime.datetime, value)


def upstream_transactions():
    try:
        from spaceone.core import config, transaction
    except Exception:
        return None
    if not callable(getattr(transaction, "create_transaction", None)) or not callable(
        getattr(transaction, "delete_transaction", None)
    ):
        return None
    return UpstreamTransactions(transaction, config)


def route_table(app, app_path):
    if getattr(app, "SPACEONE_PLUGIN_SDK", None) is not None and hasattr(app, "get_plugin_method"):
        return SdkRoutes(app)
    table = getattr(app, "_plugin_methods", None)
    if isinstance(table, dict) and all(
        isinstance(v, dict) and hasattr(v.get("service"), "get_plugin_method") for v in table.values()
    ):
        return UpstreamRoutes(app)
    raise StartupFailure(
        f"TypeError: The app is not a plugin server. (app_path = {app_path}, type = {type(app).__name__})"
    )


# --- serving --------------------------------------------------------------------


def error_body(e):
    """The protocol error for an exception, and whether it is one of the
    framework's own errors (``ERROR_*``: code and status known)."""
    code = getattr(e, "error_code", None)
    status = getattr(e, "status_code", None)
    if isinstance(code, str) and isinstance(status, str):
        return {"code": code, "status": status, "message": str(getattr(e, "message", ""))}, True
    # Anything else is reported the way upstream reports it: ERROR_UNKNOWN, str(e).
    return {"code": "ERROR_UNKNOWN", "status": "INTERNAL", "message": str(e)}, False


CANCELLED = {
    "code": "ERROR_CANCELLED",
    "status": "CANCELLED",
    "message": "The request was cancelled.",
}


def serve_request(request, table, channel, cancelled):
    """Run one request and send its replies; ``cancelled`` (a threading.Event) is
    set when the host no longer wants the result."""
    rid = request.get("id")
    method = request.get("method")
    params = request.get("params")
    stream = bool(request.get("stream"))
    try:
        func = table.lookup(method if isinstance(method, str) else "")
    except UnknownMethod:
        channel.send({"id": rid, "error": {
            "code": "ERROR_NOT_IMPLEMENTED",
            "status": "UNIMPLEMENTED",
            "message": f"Method not found! (method = {method})",
        }})
        return
    table.begin(method, request.get("trace_id"))
    try:
        result = func(table.convert(params, request.get("datetime")))
        if not stream:
            line = encode({"id": rid, "result": result})
        else:
            line = None
            item_line = item_encoder(rid)
            try:
                for item in result:
                    if not cancelled.wait_turn(channel.flush):
                        close = getattr(result, "close", None)
                        if callable(close):
                            close()
                        line = encode({"id": rid, "error": CANCELLED})
                        break
                    channel.write_item(item_line(item))
            except BaseException:
                # Whatever ends the request (an error reply, the process
                # exiting), the items yielded before reach the host first.
                channel.flush()
                raise
            if line is None:
                line = encode({"id": rid, "done": True})
    except (BrokenPipeError, ConnectionResetError):
        raise
    except Exception as e:
        body, framework = error_body(e)
        # The host logs the traceback right after its error lines, as upstream
        # does: for every error of a framework plugin, for an SDK plugin's
        # unexpected ones.
        if table.mode == "compat" or not framework:
            body["traceback"] = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        line = encode({"id": rid, "error": body})
    finally:
        table.end()
    channel.write(line)


class RequestFlow:
    """Cancellation and flow control of one request.

    With a ``window`` (the host sends one to a handler that declared
    ``flow_control``), a stream may send that many items ahead of what the host
    has passed on to its caller; each ``more`` line of the host allows further
    items. A stream whose caller reads slowly therefore waits on its own thread
    and holds up no other request.
    """

    def __init__(self, window):
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.cancelled = False
        self.credit = window if isinstance(window, int) and window > 0 else None

    def control(self, line):
        with self.cond:
            if line.get("cancel"):
                self.cancelled = True
            more = line.get("more")
            if isinstance(more, int) and more > 0 and self.credit is not None:
                self.credit += more
            self.cond.notify_all()

    def is_set(self):
        return self.cancelled

    def wait_turn(self, before_wait=None):
        """Wait until the next item may be sent; False once the request is cancelled.
        ``before_wait`` is called (unlocked) when the window is used up: the
        items gathered so far go out at once instead of waiting for the flusher."""
        if before_wait is not None and self.credit == 0 and not self.cancelled:
            before_wait()
        with self.lock:
            while not self.cancelled and self.credit == 0:
                self.cond.wait()
            if self.cancelled:
                return False
            if self.credit is not None:
                self.credit -= 1
            return True


def exit_error(e):
    """The error of a request whose route raised SystemExit or KeyboardInterrupt."""
    return {
        "code": "ERROR_UNKNOWN",
        "status": "INTERNAL",
        "message": f"{type(e).__name__}: {e}" if str(e) else type(e).__name__,
        "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__)),
    }


class Requests:
    """Serves the protocol input with a leader/follower set of threads.

    One thread at a time reads the input (the one holding ``read_lock``). When it
    reads a request, it registers the request, hands the reading over to an idle
    thread (starting one when none is idle, up to ``workers`` + 1 threads) and runs
    the request itself: a request starts on the thread that read it, with no
    handoff between reading it and calling the plugin. Cancel lines are handled
    by whichever thread reads them.
    """

    def __init__(self, table, channel, workers, lines):
        self.table = table
        self.channel = channel
        self.lines = lines
        self.max_threads = workers + 1
        self.read_lock = threading.Lock()
        self.lock = threading.Lock()
        self.running = {}
        self.threads = 0
        self.idle = 0
        self.finished = threading.Event()

    def serve(self):
        """Serve until the end of input (the host wants this process to end)."""
        with self.lock:
            self.start_thread()
        self.finished.wait()

    def start_thread(self):
        # Called with self.lock held.
        self.threads += 1
        threading.Thread(target=self.loop, name=f"request-{self.threads}", daemon=True).start()

    def loop(self):
        while True:
            with self.lock:
                self.idle += 1
            self.read_lock.acquire()
            with self.lock:
                self.idle -= 1
            try:
                taken = self.next_request()
            except BaseException:
                traceback.print_exc()
                flush_and_exit(1)
            if taken is None:
                # End of input: the lock stays taken, nothing reads any more.
                self.finished.set()
                return
            with self.lock:
                if self.idle == 0 and self.threads < self.max_threads:
                    self.start_thread()
            self.read_lock.release()
            self.run(*taken)

    def next_request(self):
        """The next request and its cancel event (registered), or None at the end
        of input; cancel lines and invalid lines are handled on the way."""
        for line in self.lines:
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("a request must be a JSON object")
            except ValueError as e:
                self.channel.send({"id": None, "error": {
                    "code": "ERROR_UNKNOWN", "status": "INTERNAL", "message": f"Invalid request line: {e}",
                }})
                continue
            rid = request.get("id")
            if request.get("cancel") or "more" in request:
                with self.lock:
                    flow = self.running.get(rid)
                if flow is not None:
                    flow.control(request)
                continue
            flow = RequestFlow(request.get("window"))
            with self.lock:
                self.running[rid] = flow
            return request, flow
        return None

    def run(self, request, flow):
        try:
            serve_request(request, self.table, self.channel, flow)
        except (BrokenPipeError, ConnectionResetError):
            # The host is gone.
            os._exit(1)
        except (SystemExit, KeyboardInterrupt) as e:
            # Raised by one route: that request fails, the others go on, as on
            # upstream's server, whose request threads catch them.
            self.channel.send({"id": request.get("id"), "error": exit_error(e)})
        except BaseException:
            traceback.print_exc()
            flush_and_exit(1)
        finally:
            with self.lock:
                self.running.pop(request.get("id"), None)


class RequestFields(logging.Filter):
    """Gives each record the transaction id and method of the request its thread serves."""

    def filter(self, record):
        record.trace_id, record.tnx_method = current_request()
        return True


def configure_logging(package):
    # Plugin log records go to stderr (the host's log) in the host's line layout,
    # with the transaction id and method of their request.
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter(
        "%(asctime)s.%(msecs)03dZ [%(levelname)s] %(trace_id)s     %(tnx_method)s "
        "(%(filename)s:%(lineno)d) %(message)s",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestFields())
    for name in {package.split(".")[0], "spaceone_plugin_sdk"}:
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
            logger.propagate = False


def load(env):
    package = env.get("SPACEONE_PLUGIN_PACKAGE", "")
    app_path = env.get("SPACEONE_PLUGIN_APP_PATH") or "{package}.main:app"
    source_root = env.get("SPACEONE_PLUGIN_SOURCE_ROOT") or "."
    module_paths = [p for p in env.get("SPACEONE_PLUGIN_MODULE_PATHS", "").split(os.pathsep) if p]
    try:
        workers = int(env.get("SPACEONE_PLUGIN_WORKERS", "0"))
    except ValueError:
        workers = 0
    if not package:
        raise StartupFailure("Exception: The package() can not imported. Please check the module path.")
    set_import_path(source_root, module_paths)
    import_package(package)
    prepare_upstream_config(package, app_path, workers)
    app = import_app(package, app_path)
    table = route_table(app, app_path.format(package=package))
    if table.mode == "sdk":
        configure_logging(package)
    return table, app_classes(app), package_directory(package), max(workers, 1)


def flush_items_on_exit(channel):
    """``os._exit`` (a plugin that ends its process on purpose, a library's fatal
    path) first writes the stream items gathered for the next batch, so the host
    gets every item yielded before the end, as when each item was written at once.
    (A signal or a crash of the interpreter can still lose the items of the last
    thread switch.)"""
    exit_now = os._exit

    def exit_after_flush(code):
        channel.flush_before_exit()
        exit_now(code)

    os._exit = exit_after_flush


def main():
    proto_in, proto_out = take_protocol_channel()
    channel = Channel(proto_out)
    flush_items_on_exit(channel)
    watch_parent()
    try:
        loaded = load(os.environ)
    except StartupFailure as f:
        return report_failure(channel, f)
    return serve(proto_in, channel, loaded)


def report_failure(channel, failure):
    channel.send({"startup_error": {"message": failure.text, "exit_code": failure.exit_code}})
    return failure.exit_code


def serve(proto_in, channel, loaded):
    """Say the plugin is ready and serve requests until the end of input."""
    table, classes, package_dir, workers = loaded
    channel.send({"ready": {
        "protocol": PROTOCOL_VERSION,
        "routes": table.routes(),
        "package_dir": package_dir,
        "mode": table.mode,
        "concurrency": workers,
        "flow_control": True,
        "app_classes": classes,
        "declared_kind": table.declared_kind,
    }})
    Requests(table, channel, workers, read_lines(proto_in)).serve()
    # End of input: the host wants this process to end, whatever still runs.
    return 0


# --- fork server ------------------------------------------------------------------


# Threads that libraries restart in a forked child themselves: gRPC's core
# threads (with GRPC_ENABLE_FORK_SUPPORT, which the host sets for the template)
# and OpenTelemetry's export threads.
GRPC_CORE_THREADS = ("grpc", "event_engine", "lifeguard", "default-executo", "resolver-execut", "timer_manager")
FORK_AWARE_THREADS = ("OtelBatch", "OtelPeriodicExportingMetricReader")


def fork_hazard():
    """Why this process cannot be copied safely, or None: a thread that does not
    restart itself in a forked child could leave a lock taken there."""
    main = threading.main_thread()
    python_threads = {t.native_id: t.name for t in threading.enumerate() if t is not main}
    try:
        tasks = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        names = list(python_threads.values())
        tasks = []
    else:
        names = []
    grpc_fork_support = os.environ.get("GRPC_ENABLE_FORK_SUPPORT", "").lower() in ("1", "true")
    for tid in tasks:
        if tid == os.getpid():
            continue
        name = python_threads.get(tid)
        if name is None:
            try:
                with open(f"/proc/self/task/{tid}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if not (grpc_fork_support and comm.startswith(GRPC_CORE_THREADS)):
                names.append(comm)
        elif not name.startswith(FORK_AWARE_THREADS):
            names.append(name)
    if not names:
        return None
    return (
        f"the plugin runs threads of its own once imported ({', '.join(sorted(set(names)))}), "
        "and a process with threads cannot be copied safely"
    )


# The template's process name (ps, top; /proc/PID/comm): it serves no calls.
TEMPLATE_NAME = "plugin-template"


def set_process_name(name):
    """Set this process's name (the main thread's); the previous one."""
    try:
        with open("/proc/self/comm", "r+") as f:
            before = f.read().strip()
            f.seek(0)
            f.write(name)
        return before
    except OSError:
        return name


def receive_request(control):
    """One request of the host and the descriptors it carries; (b"", []) at the end."""
    import array
    import socket

    fds = array.array("i")
    data, ancillary, _flags, _addr = control.recvmsg(4096, socket.CMSG_SPACE(8 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    return data, list(fds)


def fork_server():
    """``runner.py --fork-server``: load the plugin once, then start each handler
    process the host asks for as a copy of this one, sharing its memory pages
    (docs/plugin-protocol.md, "Handler processes as copies").

    Standard input is a Unix socket to the host. Each request is one datagram
    ``{"fork": N}`` that carries three descriptors: the new handler's protocol
    input, protocol output and stderr. The copy is forked twice, so that it
    becomes a child of the host (a subreaper) rather than of this process; it
    leads its own process group and goes on as ``runner.py`` would after loading
    the plugin. The reply is ``{"fork": N, "pid": P}``. When this process cannot
    be copied safely (the plugin runs threads that would not survive a fork), or
    the plugin could not be loaded, the reply is ``{"fork": N, "pid": <its own>,
    "last": "why"}`` and this process becomes that handler itself. The server
    ends at the end of its input, when the host closes the socket or is gone.
    """
    import gc
    import socket

    control = socket.socket(fileno=os.dup(0))
    name = set_process_name(TEMPLATE_NAME)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.close(null_fd)
    # What the plugin prints while it is imported goes to the host's log.
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull, "r")
    host = os.getppid()
    loaded = failure = None
    try:
        loaded = load(os.environ)
    except StartupFailure as f:
        failure = f
    refusal = fork_hazard() if failure is None else "the plugin could not be loaded"
    # Objects of the import are left alone by the copies' garbage collector, so
    # that the pages holding them stay shared.
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()
    while True:
        try:
            data, fds = receive_request(control)
        except InterruptedError:
            continue
        except OSError:
            return 0
        if not data:
            return 0
        try:
            number = json.loads(data)["fork"]
        except (ValueError, KeyError, TypeError):
            number = None
        if number is None or len(fds) != 3:
            reply = {"fork": number, "refused": "invalid request"}
        elif refusal:
            # No copies: this process becomes the handler itself (never returns).
            reply = {"fork": number, "pid": os.getpid(), "last": refusal}
            try:
                control.send(encode(reply))
            except OSError:
                return 0
            set_process_name(name)
            run_copy(control, fds, host, loaded, failure)
        else:
            reply = {"fork": number, "pid": fork_copy(control, fds, host, loaded, failure, name)}
        for fd in fds:
            os.close(fd)
        try:
            control.send(encode(reply))
        except OSError:
            return 0


def fork_copy(control, fds, host, loaded, failure, name):
    """Start a copy of this process as a handler on ``fds``; its pid."""
    report_r, report_w = os.pipe()
    sys.stderr.flush()
    middle = fork_quietly()
    if middle == 0:
        try:
            os.close(report_r)
            copy = fork_quietly()
            if copy == 0:
                os.close(report_w)
                set_process_name(name)
                run_copy(control, fds, host, loaded, failure)
            try:
                os.setpgid(copy, copy)
            except OSError:
                pass
            os.write(report_w, str(copy).encode())
        finally:
            os._exit(0)
    os.close(report_w)
    text = b""
    while True:
        chunk = os.read(report_r, 64)
        if not chunk:
            break
        text += chunk
    os.close(report_r)
    # Once the process in the middle has ended, the copy is the host's child.
    os.waitpid(middle, 0)
    return int(text) if text.isdigit() else None


def fork_quietly():
    """os.fork() without Python's warning about threads (3.12+): fork_hazard()
    has let through only threads that restart themselves in the child."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def run_copy(control, fds, host, loaded, failure):
    """In the copy: take the descriptors as standard streams and serve (never returns)."""
    code = 1
    try:
        control.close()
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
        for fd in set(fds):
            os.close(fd)
        proto_in, proto_out = take_protocol_channel()
        channel = Channel(proto_out)
        flush_items_on_exit(channel)
        # The host is this process's parent once the middle process has ended
        # (at once), well before the watch first looks.
        watch_parent(host)
        if failure is not None:
            code = report_failure(channel, failure)
        else:
            code = serve(proto_in, channel, loaded)
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        code = 1
    except BaseException:
        traceback.print_exc()
    flush_and_exit(code)


def flush_and_exit(code):
    try:
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(code)


if __name__ == "__main__":
    try:
        code = fork_server() if sys.argv[1:] == ["--fork-server"] else main()
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        code = 1
    flush_and_exit(code)
