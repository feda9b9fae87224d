"""A queue whose consumers are threads of the process that fills it.

inventory 1.12 hands each collecting task to `spaceone.core.queue.put(<collect_queue>, task)`;
upstream, worker processes of `spaceone scheduler spaceone.inventory` take them. The
services here keep their data in an in-process (mongomock) database, which another process
cannot see, so the tasks run in this process instead, through core's own task runner
(`SpaceoneTask`), the code an upstream worker runs.

Configuration: `workers` (default 2), the number of consumer threads.
"""
import json
import logging
import queue
import threading

from spaceone.core.queue import BaseQueue

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
_STARTED = {}  # one queue and one set of consumers per configuration, for the process' life


def _consume(label, items):
    from spaceone.core.scheduler.worker import SpaceoneTask

    while True:
        item = items.get()
        try:
            task = json.loads(item.decode() if isinstance(item, (bytes, bytearray)) else item)
            _LOGGER.info(f"[ThreadQueue:{label}] task {task.get('name')}")
            SpaceoneTask(task).execute()
        except Exception as e:  # like upstream workers: report and take the next task
            _LOGGER.error(f"[ThreadQueue:{label}] task failed: {e}", exc_info=True)
        finally:
            items.task_done()


class ThreadQueue(BaseQueue):
    def __init__(self, conf):
        conf = dict(conf or {})
        workers = max(1, int(conf.get("workers", 2)))
        label = str(conf.get("channel", "tasks"))
        with _LOCK:
            if label not in _STARTED:
                items = queue.Queue()
                for n in range(workers):
                    threading.Thread(target=_consume, args=(label, items), daemon=True,
                                     name=f"task-queue-{label}-{n}").start()
                _STARTED[label] = items
            self._items = _STARTED[label]
        self.initialized = True

    def put(self, key):
        self._items.put(key)
        return True

    def get(self):
        return self._items.get()
