#!/usr/bin/env python3
"""A small gRPC client that knows a server only through its reflection (v1alpha).

    grpc-probe.py list HOST:PORT
        Prints, in a stable order: the services the server lists, the proto files
        that define them (with package and imports), each service's methods (with
        streaming), every message and enum those methods reach, fields by number,
        and the SHA-1 of the exact bytes of every file reflection sent.
    grpc-probe.py calls HOST:PORT CALLS REQUESTS_DIR OUT_DIR
        For each line `CASE Service.verb FILE` of CALLS (blank lines and # comments
        skipped), calls the method of the listed service whose short name is Service
        with the YAML file REQUESTS_DIR/FILE, and writes OUT_DIR/CASE.grpc.txt: each
        answer as JSON (proto field names, keys sorted, defaults omitted), then
        `OK`, or `ERROR <code name>: <details>` for a failed call.

    grpc-probe.py time HOST:PORT Service.verb FILE N [Service.verb FILE]
        Calls the method N times over one connection (after one warm-up call) and
        prints the median round trip in milliseconds (streams read to their end).
        The request is encoded once and answers are taken as bytes, so the client's
        share is small and the same for any server. With a second method (the
        baseline, e.g. Health.Check), the two are called alternately on the same
        connection and both medians are printed: "ROUTE BASELINE".

Two servers of the same contract print the same text. Needs grpcio,
grpcio-reflection, protobuf and PyYAML.
"""
import hashlib
import json
import os
import sys
import time

import grpc
import yaml
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

LABELS = {1: "", 2: "required ", 3: "repeated "}
TYPES = {v: k[len("TYPE_"):].lower() for k, v in descriptor_pb2.FieldDescriptorProto.Type.items()}


def ask(stub, requests):
    answers = []
    for response in stub.ServerReflectionInfo(iter(requests), timeout=20):
        if response.HasField("error_response"):
            err = response.error_response
            raise SystemExit(f"reflection error {err.error_code}: {err.error_message}")
        answers.append(response)
    return answers


def load(channel):
    """The listed services (sorted), the files reflection gave, and a pool of them."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    (listed,) = ask(stub, [reflection_pb2.ServerReflectionRequest(list_services="")])
    services = sorted(s.name for s in listed.list_services_response.service)

    files = {}
    raws = {}

    def take(answer):
        for raw in answer.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
            files.setdefault(fd.name, fd)
            raws.setdefault(fd.name, raw)

    for answer in ask(stub, [reflection_pb2.ServerReflectionRequest(file_containing_symbol=s) for s in services]):
        take(answer)
    while True:
        missing = sorted({d for fd in files.values() for d in fd.dependency} - set(files))
        if not missing:
            break
        for answer in ask(stub, [reflection_pb2.ServerReflectionRequest(file_by_filename=m) for m in missing]):
            take(answer)

    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dep in files[name].dependency:
            add(dep)
        pool.Add(files[name])
        added.add(name)

    for name in sorted(files):
        add(name)
    return services, files, pool, raws


def listing(channel):
    services, files, pool, raws = load(channel)
    out = ["services:"] + [f"  {s}" for s in services]
    service_files = sorted({pool.FindServiceByName(s).file.name for s in services})
    out.append("files:")
    for name in service_files:
        fd = files[name]
        out.append(f"  {name} (package {fd.package}; imports {', '.join(fd.dependency) or 'none'})")

    reached, queue = set(), []

    def reach(desc):
        if desc.full_name not in reached:
            reached.add(desc.full_name)
            queue.append(desc)

    for s in services:
        svc = pool.FindServiceByName(s)
        out.append(f"service {svc.full_name}:")
        for m in svc.methods:
            cs = "stream " if m.client_streaming else ""
            ss = "stream " if m.server_streaming else ""
            out.append(f"  rpc {m.name}({cs}{m.input_type.full_name}) returns ({ss}{m.output_type.full_name})")
            reach(m.input_type)
            reach(m.output_type)

    types = {}
    while queue:
        desc = queue.pop()
        types[desc.full_name] = desc
        if hasattr(desc, "fields"):
            for f in desc.fields:
                if f.message_type is not None:
                    reach(f.message_type)
                if f.enum_type is not None:
                    reach(f.enum_type)
    for name in sorted(types):
        desc = types[name]
        if name.startswith("google.protobuf.") or name.startswith("grpc.reflection."):
            out.append(f"{'message' if hasattr(desc, 'fields') else 'enum'} {name} (well-known)")
            continue
        if hasattr(desc, "fields"):
            out.append(f"message {name} ({desc.file.name}):")
            for f in sorted(desc.fields, key=lambda f: f.number):
                if f.message_type is not None:
                    t = f.message_type.full_name
                elif f.enum_type is not None:
                    t = f.enum_type.full_name
                else:
                    t = TYPES[f.type]
                out.append(f"  {f.number} {LABELS[f.label]}{t} {f.name}")
        else:
            out.append(f"enum {name} ({desc.file.name}):")
            for v in sorted(desc.values, key=lambda v: v.number):
                out.append(f"  {v.number} {v.name}")
    # The exact bytes of every file, as reflection sent them.
    out.append("file bytes (sha1):")
    for name in sorted(raws):
        out.append(f"  {name} {hashlib.sha1(raws[name]).hexdigest()}")
    return "\n".join(out) + "\n"


def message_class(pool, desc):
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


def call(channel, services, pool, method, request):
    """The text for one call: answers as JSON, then OK or the error."""
    short, _, verb = method.partition(".")
    matches = [s for s in services if s.rsplit(".", 1)[-1] == short]
    if len(matches) != 1:
        return f"NO SERVICE {short} (listed: {', '.join(services)})\n"
    svc = pool.FindServiceByName(matches[0])
    m = svc.methods_by_name.get(verb)
    if m is None:
        return f"NO METHOD {verb} in {svc.full_name}\n"
    in_cls = message_class(pool, m.input_type)
    out_cls = message_class(pool, m.output_type)
    req = json_format.ParseDict(request or {}, in_cls())
    path = f"/{svc.full_name}/{m.name}"
    kwargs = dict(request_serializer=lambda x: x.SerializeToString(), response_deserializer=out_cls.FromString)
    lines = []
    try:
        if m.server_streaming:
            answers = channel.unary_stream(path, **kwargs)(req, timeout=60)
        else:
            answers = [channel.unary_unary(path, **kwargs)(req, timeout=60)]
        for a in answers:
            d = json_format.MessageToDict(a, preserving_proto_field_name=True)
            lines.append(json.dumps(d, sort_keys=True, ensure_ascii=False))
        lines.append("OK")
    except grpc.RpcError as e:
        lines.append(f"ERROR {e.code().name}: {e.details()}")
    return "\n".join(lines) + "\n"


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def timed_call(channel, services, pool, method, file):
    """A function making one call of `method` with the request in `file` (encoded
    once; answers kept as bytes); it raises SystemExit when the call fails."""
    with open(file, encoding="utf-8") as r:
        request = yaml.safe_load(r)
    short, _, verb = method.partition(".")
    matches = [s for s in services if s.rsplit(".", 1)[-1] == short]
    if len(matches) != 1:
        raise SystemExit(f"NO SERVICE {short} (listed: {', '.join(services)})")
    svc = pool.FindServiceByName(matches[0])
    m = svc.methods_by_name.get(verb)
    if m is None:
        raise SystemExit(f"NO METHOD {verb} in {svc.full_name}")
    raw = json_format.ParseDict(request or {}, message_class(pool, m.input_type)()).SerializeToString()
    path = f"/{svc.full_name}/{m.name}"
    if m.server_streaming:
        stub = channel.unary_stream(path)

        def once():
            try:
                for _ in stub(raw, timeout=60):
                    pass
            except grpc.RpcError as e:
                raise SystemExit(f"{method} failed: {e.code().name}: {e.details()}")
    else:
        stub = channel.unary_unary(path)

        def once():
            try:
                stub(raw, timeout=60)
            except grpc.RpcError as e:
                raise SystemExit(f"{method} failed: {e.code().name}: {e.details()}")
    return once


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "list":
        with grpc.insecure_channel(args[1]) as channel:
            sys.stdout.write(listing(channel))
        return
    if len(args) == 5 and args[0] == "calls":
        _, addr, calls, requests, out_dir = args
        with grpc.insecure_channel(addr) as channel:
            services, _, pool, _ = load(channel)
            with open(calls, encoding="utf-8") as f:
                for line in f:
                    words = line.split()
                    if not words or words[0].startswith("#"):
                        continue
                    if len(words) != 3:
                        raise SystemExit(f"{calls}: expected `CASE Service.verb FILE`, got: {line.strip()}")
                    case, method, file = words
                    with open(os.path.join(requests, file), encoding="utf-8") as r:
                        request = yaml.safe_load(r)
                    text = call(channel, services, pool, method, request)
                    with open(os.path.join(out_dir, case + ".grpc.txt"), "w", encoding="utf-8") as o:
                        o.write(text)
        return
    if len(args) in (5, 7) and args[0] == "time":
        addr, n = args[1], int(args[4])
        targets = [(args[2], args[3])] + ([(args[5], args[6])] if len(args) == 7 else [])
        with grpc.insecure_channel(addr) as channel:
            services, _, pool, _ = load(channel)
            calls = [timed_call(channel, services, pool, method, file) for method, file in targets]
            times = [[] for _ in calls]
            for i in range(n + 1):
                for call_once, out in zip(calls, times):
                    t0 = time.perf_counter()
                    call_once()
                    if i:
                        out.append((time.perf_counter() - t0) * 1000)
            print(" ".join(f"{median(t):.3f}" for t in times))
        return
    raise SystemExit(__doc__.strip().split("\n\n")[0].replace('"""', ""))


if __name__ == "__main__":
    main()
