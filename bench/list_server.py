"""gRPC server used by bench/list.sh.

Serves spaceone.api.identity.v1.Provider (with v1alpha reflection) on
127.0.0.1:PORT. `list` answers the same precomputed response of N providers
every time, so the measured cost is the client's: decoding, conversion and
rendering.

    python list_server.py PORT N
"""
import sys
import time
from concurrent import futures

import grpc
from google.protobuf import json_format
from grpc_reflection.v1alpha import reflection
from spaceone.api.identity.v1 import provider_pb2, provider_pb2_grpc

MAX_MESSAGE = 256 * 1024 * 1024


def provider(i):
    return {
        "provider": f"provider-{i:05d}",
        "name": f"Provider {i}",
        "order": i,
        "capability": {"supported_schema": ["aws_access_key"]},
        "tags": {"color": "#FF9900"},
        "domain_id": "domain-0123456789ab",
        "created_at": "2024-01-02T03:04:05.123Z",
    }


class Provider(provider_pb2_grpc.ProviderServicer):
    def __init__(self, n):
        self.response = json_format.ParseDict(
            {"results": [provider(i) for i in range(1, n + 1)], "total_count": n},
            provider_pb2.ProvidersInfo(),
        )

    def list(self, request, context):
        return self.response


def main():
    port, n = int(sys.argv[1]), int(sys.argv[2])
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE),
            ("grpc.max_receive_message_length", MAX_MESSAGE),
        ],
    )
    provider_pb2_grpc.add_ProviderServicer_to_server(Provider(n), server)
    name = provider_pb2.DESCRIPTOR.services_by_name["Provider"].full_name
    reflection.enable_server_reflection((name,), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop(0)


if __name__ == "__main__":
    main()
