#!/usr/bin/env python3
"""interop_peers.py - echo peers written with Python's standard library, for socklab's interop tests.

  interop_peers.py server ENDPOINT
      Serves echo with socketserver on ENDPOINT (socklab's syntax; port 0 allowed) and prints
      "listening on ENDPOINT" with the real address, as socklab echo-server does. Stops on SIGTERM.
  interop_peers.py client [--bind PATH] ENDPOINT MESSAGE...
      Sends each MESSAGE with a plain socket and prints each reply on its own line. Streams add a
      newline to each message and read back exactly as many bytes; then the client half-closes
      (shutdown SHUT_WR) and expects the server's end of stream. A unixgram client binds PATH so
      that the server can answer. Exits 0 when every reply was the message.

Endpoints: tcp://HOST:PORT, udp://HOST:PORT, unix:PATH, unixgram:PATH, unixpacket:PATH, PATH may be @NAME.
"""
import os
import signal
import socket
import socketserver
import sys

TYPES = {"tcp": socket.SOCK_STREAM, "udp": socket.SOCK_DGRAM, "unix": socket.SOCK_STREAM,
         "unixgram": socket.SOCK_DGRAM, "unixpacket": socket.SOCK_SEQPACKET}


def parse(endpoint):
    """('tcp', (family, address)) from socklab's endpoint syntax."""
    scheme, _, rest = endpoint.partition(":")
    if scheme in ("tcp", "udp"):
        host, _, port = rest[2:].rpartition(":")
        host = host.strip("[]") or "::"
        info = socket.getaddrinfo(host, int(port), 0, TYPES[scheme])[0]
        return scheme, info[0], info[4]
    if rest.startswith("///"):
        rest = rest[2:]
    return scheme, socket.AF_UNIX, "\0" + rest[1:] if rest.startswith("@") else rest


def show(scheme, family, addr):
    if family == socket.AF_UNIX:
        if isinstance(addr, bytes):  # an abstract name comes back as bytes, with its leading NUL
            addr = "@" + addr[1:].decode()
        return "%s:%s" % (scheme, addr)
    host = "[%s]" % addr[0] if family == socket.AF_INET6 else addr[0]
    return "%s://%s:%d" % (scheme, host, addr[1])


class StreamEcho(socketserver.BaseRequestHandler):
    """Bytes back as they come, until the client's end of stream; for seqpacket, message by message."""

    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            self.request.sendall(data)


class DatagramEcho(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)


def serve(endpoint):
    scheme, family, addr = parse(endpoint)
    unix = family == socket.AF_UNIX
    if TYPES[scheme] == socket.SOCK_DGRAM:
        base, handler = (socketserver.UnixDatagramServer if unix else socketserver.UDPServer), DatagramEcho
    else:
        base, handler = (socketserver.ThreadingUnixStreamServer if unix else socketserver.ThreadingTCPServer), StreamEcho
    server_class = type("Server", (base,), {"address_family": family, "socket_type": TYPES[scheme],
                                            "allow_reuse_address": True, "daemon_threads": True})
    server = server_class(addr, handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening on " + show(scheme, family, server.socket.getsockname()), flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if unix and not addr.startswith("\0"):
            os.unlink(addr)


def client(endpoint, messages, bind):
    scheme, family, addr = parse(endpoint)
    sock = socket.socket(family, TYPES[scheme])
    sock.settimeout(10)
    ok = True
    try:
        if bind:
            sock.bind(bind)
        stream = TYPES[scheme] == socket.SOCK_STREAM
        if TYPES[scheme] != socket.SOCK_DGRAM:
            sock.connect(addr)
        for text in messages:
            msg = text.encode() + (b"\n" if stream else b"")
            reply = b""
            if TYPES[scheme] == socket.SOCK_DGRAM:
                sock.sendto(msg, addr)
                reply = sock.recv(65536)
            else:
                sock.sendall(msg)
                while len(reply) < len(msg):
                    part = sock.recv(len(msg) - len(reply))
                    if not part:
                        break
                    reply += part
                    if not stream:
                        break
            sys.stdout.write(reply.decode(errors="replace").rstrip("\n") + "\n")
            ok = ok and reply == msg
        if TYPES[scheme] != socket.SOCK_DGRAM:
            sock.shutdown(socket.SHUT_WR)
            if sock.recv(1) != b"":
                print("interop_peers.py: no end of stream after shutdown", file=sys.stderr)
                ok = False
    finally:
        sock.close()
        if bind:
            os.unlink(bind)
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "server":
        return serve(argv[1])
    if len(argv) >= 2 and argv[0] == "client":
        bind = None
        if argv[1] == "--bind":
            bind, argv = argv[2], argv[2:]
        return client(argv[1], argv[2:], bind)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
