"""Secret data kept in the memory of the secret service.

secret 1.12 stores a secret's data through the connector named by its `BACKEND` setting;
the upstream ones need an outside store (AWS Secrets Manager, Vault, Consul, etcd or a
MongoDB server). The rest of a secret lives in the service's in-process database, so
keeping the data in the same process gives both the same lifetime.
"""
import copy
import threading

from spaceone.core.connector import BaseConnector

_LOCK = threading.Lock()
_DATA = {}


class MemorySecretConnector(BaseConnector):
    def create_secret(self, secret_id, data):
        with _LOCK:
            _DATA[secret_id] = copy.deepcopy(data)
        return {"secret_id": secret_id}

    def update_secret(self, secret_id, data):
        with _LOCK:
            _DATA[secret_id] = copy.deepcopy(data)
        return {"secret_id": secret_id}

    def delete_secret(self, secret_id):
        with _LOCK:
            _DATA.pop(secret_id, None)
        return {"secret_id": secret_id}

    def get_secret(self, secret_id):
        with _LOCK:
            return copy.deepcopy(_DATA.get(secret_id, {}))
