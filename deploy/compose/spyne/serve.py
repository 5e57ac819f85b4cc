#!/usr/bin/env python3
"""The interop suite's spyne service (tests/interop/spyne_service.py) on any interface.

Usage:  python3 serve.py [HOST] [PORT]      (defaults 0.0.0.0 8765)

spyne_service.py listens on 127.0.0.1 only, as its tests want; in a container the service must
be reachable from the other containers, so this serves the very same `application` on HOST.
Exits 0 on SIGTERM/SIGINT.
"""

import logging
import signal
import sys
import threading
from wsgiref.simple_server import WSGIServer, make_server

from spyne.server.wsgi import WsgiApplication

import spyne_service


def main(argv):
    host = argv[1] if len(argv) > 1 else "0.0.0.0"
    port = int(argv[2]) if len(argv) > 2 else 8765
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    httpd = make_server(host, port, WsgiApplication(spyne_service.application),
                        server_class=WSGIServer, handler_class=spyne_service._QuietHandler)

    def _stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print("READY %s:%d" % (host, httpd.server_address[1]), flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
