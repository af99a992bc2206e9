#!/usr/bin/env python3
"""client: sends one FastCGI request and prints the application's output, to check the test responder and fcgiwrap on their own.

Usage: client.py unix:/path.sock|tcp:HOST:PORT [NAME=VALUE ...]

STDOUT goes to standard output as received, STDERR to standard error.
Exit status: 0 after END_REQUEST with REQUEST_COMPLETE, 4 with another
protocol status, 3 when the application closed without END_REQUEST,
2 on a malformed record.
"""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi  # noqa: E402


def connect(address):
    if address.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address[5:])
        return s
    host, port = address[4:].rsplit(":", 1)
    return socket.create_connection((host, int(port)))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: client.py unix:PATH|tcp:HOST:PORT [NAME=VALUE ...]")
    pairs = []
    for arg in sys.argv[2:]:
        name, _, value = arg.partition("=")
        pairs.append((name.encode(), value.encode()))
    sock = connect(sys.argv[1])
    sock.sendall(fcgi.record(fcgi.BEGIN_REQUEST,
                             bytes([0, fcgi.RESPONDER, 0, 0, 0, 0, 0, 0])) +
                 fcgi.stream(fcgi.PARAMS, fcgi.encode_pairs(pairs)) +
                 fcgi.record(fcgi.PARAMS) + fcgi.record(fcgi.STDIN))
    out, err = sys.stdout.buffer, sys.stderr.buffer
    try:
        while True:
            rec = fcgi.read_record(sock)
            if rec is None:
                return 3
            rtype, _, content = rec
            if rtype == fcgi.STDOUT:
                out.write(content)
            elif rtype == fcgi.STDERR:
                err.write(content)
            elif rtype == fcgi.END_REQUEST:
                out.flush()
                return 0 if content[4] == fcgi.REQUEST_COMPLETE else 4
    except ValueError as e:
        print("client: %s" % e, file=sys.stderr)
        return 2
    finally:
        out.flush()


if __name__ == "__main__":
    sys.exit(main())
