"""identity 2.x's authentication handler, with the system token read from a file.

Every 2.x service checks a token with the public key of its domain, which it fetches from
identity (`Domain.get_public_key`) with the system token of its `TOKEN` setting; identity
does so too. That token is made by `System.init` on the running identity, whose database
lives in its memory, so identity cannot be restarted with it in its configuration. This
handler takes it from a file instead, once the file exists (the bootstrap writes it right
after System.init), then checks the token as core's handler does:

    HANDLERS:
      authentication:
      - backend: spacectl_local.token_file:TokenFileAuthenticationHandler
        token_file: /path/to/state/system_token

(The option sits in the handler's entry: a top-level key unknown to the service would be
dropped.) Until the file exists, calls that need a token check fail as they would without
a system token.
"""
import os

from spaceone.core import config
from spaceone.core.handler.authentication_handler import SpaceONEAuthenticationHandler


class TokenFileAuthenticationHandler(SpaceONEAuthenticationHandler):
    def verify(self, params):
        if not config.get_global("TOKEN"):
            path = self.config.get("token_file")
            try:
                with open(path) as f:
                    token = f.read().strip()
            except (OSError, TypeError):
                token = ""
            if token:
                config.set_global_force(TOKEN=token)
        super().verify(params)
