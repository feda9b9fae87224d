"""Plugins run as local processes instead of containers.

The supervisor (1.12 and 2.x) asks the connector named by its `BACKEND` setting to search,
run and stop plugin containers. It formats a plugin's endpoint as grpc://HOSTNAME:PORT only when that
name is `DockerConnector`, so this class is configured under that name:

    BACKEND: DockerConnector
    CONNECTORS:
      DockerConnector:
        backend: spacectl_local.process_connector.ProcessConnector   # 2.x: ...process_connector:ProcessConnector
        start_port: 51300        # the supervisor picks a plugin's port in [start_port, end_port)
        end_port: 51316
        state_dir: /path/to/state

What to run for a plugin is read when it is started, from STATE/plugins/<plugin_id>.json
(or STATE/plugins/default.json):

    {"command": ["prog", "arg", "{port}"], "cwd": "/dir", "env": {"KEY": "value"}}

`{port}`, `{plugin_id}`, `{version}`, `{image}` and `{name}` in the command and the
environment values are replaced. Each plugin process gets its own session (its pid is its
process group); it is recorded in STATE/pids/plugin-<name>.pid ("PID STARTTIME", like the
services) and STATE/running/<name>.json (port and labels), its output goes to
STATE/logs/plugin-<name>.log.
"""
import json
import logging
import os
import signal
import socket
import subprocess
import time

from spaceone.core.error import ERROR_CONFIGURATION
from spaceone.supervisor.connector.container_connector import ContainerConnector

_LOGGER = logging.getLogger(__name__)

START_SECONDS = 60  # how long run() waits for a plugin's port
STOP_SECONDS = 10  # how long stop() waits after SIGTERM before SIGKILL
LOOPBACK = "127.0.0.1"


def start_time(pid):
    """The start time of a process (clock ticks since boot), or None when it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def port_accepts(port):
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


def port_taken(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((LOOPBACK, port))
        return False
    except OSError:
        return True
    finally:
        s.close()


class ProcessConnector(ContainerConnector):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.config.get("state_dir"):
            # core 2.x gives a connector the settings under its class name; ours are under
            # the connector's name, DockerConnector.
            from spaceone.core import config

            self.config = config.get_connector("DockerConnector") or {}
        state = self.config.get("state_dir")
        if not state:
            raise ERROR_CONFIGURATION(key="CONNECTORS.DockerConnector.state_dir")
        self.state = state
        self.start_port = int(self.config.get("start_port", 0))
        self.end_port = int(self.config.get("end_port", 0))
        for sub in ("pids", "running", "logs", "plugins"):
            os.makedirs(os.path.join(state, sub), exist_ok=True)

    # ------------------------------------------------------------------ records

    def _paths(self, name):
        return (os.path.join(self.state, "running", f"{name}.json"),
                os.path.join(self.state, "pids", f"plugin-{name}.pid"))

    def _records(self):
        """Running plugin processes; records of processes that are gone are removed."""
        records = []
        folder = os.path.join(self.state, "running")
        for entry in sorted(os.listdir(folder)):
            if not entry.endswith(".json"):
                continue
            try:
                with open(os.path.join(folder, entry)) as f:
                    record = json.load(f)
            except (OSError, ValueError):
                continue
            if start_time(record["pid"]) != record["start_time"]:
                _LOGGER.warning(f"[ProcessConnector] {record['name']} (pid {record['pid']}) has exited")
                self._forget(record["name"])
                continue
            records.append(record)
        return records

    def _forget(self, name):
        for path in self._paths(name):
            try:
                os.remove(path)
            except OSError:
                pass

    @staticmethod
    def _info(record):
        labels = record["labels"]
        return {
            "docker_id": record["name"],
            "name": record["name"],
            "pid": record["pid"],
            "plugin_id": labels.get("spaceone.supervisor.plugin_id", ""),
            "image": labels.get("spaceone.supervisor.plugin.image", ""),
            "version": labels.get("spaceone.supervisor.plugin.version", ""),
            "endpoint": labels.get("spaceone.supervisor.plugin.endpoint", ""),
            "labels": labels,
            "ports": {"50051/tcp": [{"HostIp": LOOPBACK, "HostPort": str(record["port"])}]},
            "status": "ACTIVE" if port_accepts(record["port"]) else "ERROR",
        }

    def _spec(self, plugin_id):
        for key in (plugin_id, "default"):
            path = os.path.join(self.state, "plugins", f"{key}.json")
            if os.path.isfile(path):
                with open(path) as f:
                    return json.load(f)
        raise ERROR_CONFIGURATION(key=f"{self.state}/plugins/{plugin_id}.json (what to run for {plugin_id})")

    # ------------------------------------------------------------------ connector API

    def search(self, filters):
        wanted = filters.get("label", [])
        if isinstance(wanted, str):
            wanted = [wanted]
        pairs = [w.split("=", 1) for w in wanted]
        results = [self._info(r) for r in self._records()
                   if all(r["labels"].get(k) == v for k, v in pairs)]
        return {"results": results, "total_count": len(results)}

    def run(self, image, labels, ports, name, registry_config=None):  # 2.x adds registry_config
        plugin_id = labels.get("spaceone.supervisor.plugin_id", "")
        spec = self._spec(plugin_id)
        port = int(ports["HostPort"])
        values = {"port": port, "plugin_id": plugin_id, "image": image, "name": name,
                  "version": labels.get("spaceone.supervisor.plugin.version", "")}
        command = [str(part).format(**values) for part in spec["command"]]
        env = dict(os.environ)
        env.pop("REQUESTS_CA_BUNDLE", None)
        env.update({k: str(v).format(**values) for k, v in (spec.get("env") or {}).items()})
        record_path, pid_path = self._paths(name)
        log_path = os.path.join(self.state, "logs", f"plugin-{name}.log")
        _LOGGER.info(f"[ProcessConnector.run] {name} on port {port}: {command}")
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(command, cwd=spec.get("cwd") or None, env=env, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                    close_fds=True)
        started = start_time(proc.pid)
        with open(pid_path, "w") as f:
            f.write(f"{proc.pid} {started}\n")
        record = {"name": name, "pid": proc.pid, "start_time": started, "port": port, "labels": labels,
                  "command": command, "log": log_path}
        with open(record_path + ".tmp", "w") as f:
            json.dump(record, f, indent=1)
        os.replace(record_path + ".tmp", record_path)
        deadline = time.monotonic() + START_SECONDS
        while proc.poll() is None and not port_accepts(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        if proc.poll() is not None:
            _LOGGER.error(f"[ProcessConnector.run] {name} exited with status {proc.returncode}; see {log_path}")
        return self._info(record)

    def stop(self, plugin):
        name = plugin.get("docker_id") or plugin.get("name")
        record_path, _ = self._paths(name)
        try:
            with open(record_path) as f:
                record = json.load(f)
        except (OSError, ValueError):
            return True
        pid = record["pid"]
        _LOGGER.info(f"[ProcessConnector.stop] {name} (pid {pid})")
        if start_time(pid) == record["start_time"]:
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass
            deadline = time.monotonic() + STOP_SECONDS
            while start_time(pid) == record["start_time"] and time.monotonic() < deadline:
                time.sleep(0.1)
            if start_time(pid) == record["start_time"]:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
        self._forget(name)
        return True

    def list_used_ports(self):
        """Recorded ports and every port of the range something else listens on, so that
        the supervisor's choice (any port of the range not listed) is free."""
        used = {r["port"] for r in self._records()}
        used.update(p for p in range(self.start_port, self.end_port) if port_taken(p))
        return used
