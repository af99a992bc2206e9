#!/usr/bin/env python3
"""responder: a FastCGI application for almanac's tests, its behaviour chosen by the last segment of the path.

Usage: responder.py unix:/path/app.sock | tcp:HOST:PORT

It prints "ready ADDRESS" once it listens, serves each connection in a
thread, and stops on SIGTERM or SIGINT.  The mode is the last segment of
GEMINI_URL_PATH (PATH_INFO when it is missing):

  small         20 text/gemini, a short page
  slow          20, then one line every 0.3 s for 3 s (slow?N: N lines)
  big           20 application/octet-stream, 50 MiB (big?BYTES: that many)
                of the repeating "0123456789abcdef", in 32 KiB records
  badheader     "HTTP/1.0 200 OK" instead of a Gemini header
  longheader    a META of 2000 bytes
  crashbefore   closes the connection before writing anything
  crashmid      20, 64 KiB of body, then closes without END_REQUEST
  input         10 without a query; with one, a page greeting it (decoded)
  params        20 text/plain: every parameter as NAME=VALUE, sorted
  stderr        a line on STDERR, then the small page
  hang          answers nothing for 60 s (a header that never comes)
  overloaded    END_REQUEST with protocol status OVERLOADED, no output
  anything else the small page
"""

import os
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi  # noqa: E402

PATTERN = b"0123456789abcdef" * 2048   # 32 KiB


def page(text, status="20 text/gemini"):
    return (status + "\r\n" + text).encode()


class Request:
    """One request: its parameters, then writes to the connection."""

    def __init__(self, sock, request_id, params):
        self.sock = sock
        self.id = request_id
        self.params = params

    def param(self, name):
        return self.params.get(name.encode(), b"").decode("utf-8", "replace")

    def out(self, data):
        self.sock.sendall(fcgi.stream(fcgi.STDOUT, data, self.id))

    def err(self, data):
        self.sock.sendall(fcgi.stream(fcgi.STDERR, data, self.id))

    def end(self, protocol_status=fcgi.REQUEST_COMPLETE):
        self.sock.sendall(fcgi.record(fcgi.STDOUT, b"", self.id) +
                          fcgi.end_request(0, protocol_status, self.id))


def count(query, default):
    return int(query) if query.isdigit() else default


def serve_big(r, query):
    left = count(query, 50 * 1024 * 1024)
    r.out(b"20 application/octet-stream\r\n")
    while left > 0:
        chunk = PATTERN[:min(left, len(PATTERN))]
        r.out(chunk)
        left -= len(chunk)
    r.end()


def serve_slow(r, query):
    r.out(b"20 text/gemini\r\n# Slow\n")
    for i in range(count(query, 10)):
        time.sleep(0.3)
        r.out(("line %d\n" % (i + 1)).encode())
    r.end()


def serve_params(r):
    lines = sorted("%s=%s\n" % (k.decode("utf-8", "replace"),
                                v.decode("utf-8", "replace"))
                   for k, v in r.params.items())
    r.out(page("".join(lines), "20 text/plain; charset=utf-8"))
    r.end()


def serve_input(r, query):
    if not query:
        r.out(b"10 Your name?\r\n")
    else:
        r.out(page("# Hello, %s!\n" % urllib.parse.unquote(query)))
    r.end()


def serve(r):
    """Answers one request; returns False when the connection must close now."""
    path = r.param("GEMINI_URL_PATH") or r.param("PATH_INFO")
    mode = path.rstrip("/").rsplit("/", 1)[-1]
    query = r.param("QUERY_STRING")
    if mode == "crashbefore":
        return False
    if mode == "crashmid":
        r.out(b"20 text/plain\r\n" + PATTERN * 2)
        return False
    if mode == "hang":
        time.sleep(60)
        return False
    if mode == "overloaded":
        r.sock.sendall(fcgi.end_request(0, fcgi.OVERLOADED, r.id))
        return True
    if mode == "big":
        serve_big(r, query)
    elif mode == "slow":
        serve_slow(r, query)
    elif mode == "params":
        serve_params(r)
    elif mode == "input":
        serve_input(r, query)
    elif mode == "badheader":
        r.out(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhi\n")
        r.end()
    elif mode == "longheader":
        r.out(b"20 " + b"m" * 2000 + b"\r\n")
        r.end()
    else:
        if mode == "stderr":
            r.err(b"responder: a line on stderr\n")
        r.out(page("# Small page\n\nFrom the FastCGI test responder.\n"))
        r.end()
    return True


class Handler(socketserver.BaseRequestHandler):
    """Reads BEGIN_REQUEST, PARAMS and STDIN, answers, repeats if kept."""

    def handle(self):
        sock = self.request
        try:
            while self.one_request(sock):
                pass
        except (ValueError, OSError) as e:
            print("responder: %s" % e, file=sys.stderr, flush=True)

    def one_request(self, sock):
        keep, rid, params, stdin_done = False, None, bytearray(), False
        params_done = False
        while not (params_done and stdin_done):
            rec = fcgi.read_record(sock)
            if rec is None:
                return False
            rtype, got_id, content = rec
            if got_id == 0:
                if rtype == fcgi.GET_VALUES:
                    sock.sendall(fcgi.record(fcgi.GET_VALUES_RESULT, b"", 0))
                else:
                    sock.sendall(fcgi.record(fcgi.UNKNOWN_TYPE,
                                             bytes([rtype]) + b"\0" * 7, 0))
                continue
            if rtype == fcgi.BEGIN_REQUEST:
                rid = got_id
                keep = bool(content[2] & fcgi.KEEP_CONN)
            elif rtype == fcgi.PARAMS:
                params += content
                params_done = not content
            elif rtype == fcgi.STDIN:
                stdin_done = not content
            elif rtype == fcgi.ABORT_REQUEST:
                return False
        if rid is None:
            raise ValueError("no BEGIN_REQUEST")
        ok = serve(Request(sock, rid, fcgi.decode_pairs(bytes(params))))
        return ok and keep


# A listen backlog as deep as fcgiwrap's: with socketserver's 5, a burst
# of requests finds it full, which almanac rightly answers 42 at once.
class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 128


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(address):
    if address.startswith("unix:"):
        path = address[5:]
        if os.path.exists(path):
            os.unlink(path)
        return UnixServer(path, Handler)
    if address.startswith("tcp:"):
        host, port = address[4:].rsplit(":", 1)
        return TCPServer((host, int(port)), Handler)
    sys.exit("usage: responder.py unix:PATH | tcp:HOST:PORT")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: responder.py unix:PATH | tcp:HOST:PORT")
    server = make_server(sys.argv[1])
    addr = server.server_address
    if isinstance(addr, tuple):
        addr = "tcp:%s:%d" % addr[:2]
    else:
        addr = "unix:" + addr
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready " + addr, flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    if addr.startswith("unix:"):
        try:
            os.unlink(addr[5:])
        except OSError:
            pass


if __name__ == "__main__":
    main()
