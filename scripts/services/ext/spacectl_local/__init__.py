"""Classes that let the SpaceONE 1.12 and 2.x services run as local processes without Docker,
Kubernetes or a database server. Each is chosen by a `backend:` class path in the service's
own configuration (written by scripts/services/helper.py) and found through `-m` on the
`spaceone grpc|scheduler` command line (2.x: `spaceone run grpc-server|scheduler`); no
service code is changed. 2.x writes connector classes `module:Class`.

    task_queue.ThreadQueue                 inventory  QUEUES.collector_q.backend
    secret_store.MemorySecretConnector     secret     CONNECTORS.MemorySecretConnector.backend
    process_connector.ProcessConnector     supervisor CONNECTORS.DockerConnector.backend
    token_file.TokenFileAuthenticationHandler  identity 2.x HANDLERS.authentication
"""
