#!/usr/bin/env python3
"""firstbyte.py: milliseconds from sending a request to the answer's first byte, best of N.

Usage: firstbyte.py PORT URL TLS-VERSION [full|resumed] [N]
Python's ssl module leaves Nagle's algorithm on, as many clients do; this
does not set TCP_NODELAY. Each try is a new connection; "resumed" resumes
the session of the try before (the first try is a full handshake, and
not counted). Prints the best time and how many tries were resumed.
Loopback only.
"""
import socket
import ssl
import sys
import time


def main():
    port, url, version = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    resume = len(sys.argv) > 4 and sys.argv[4] == "resumed"
    tries = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    v = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[version]
    ctx.minimum_version = ctx.maximum_version = v
    best, reused, session = None, 0, None
    for i in range(tries + (1 if resume else 0)):
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        s = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        start = time.perf_counter()
        s.sendall((url + "\r\n").encode())
        s.recv(1)
        took = (time.perf_counter() - start) * 1000
        while s.recv(65536):
            pass
        if resume:
            session = s.session
            if i == 0:
                s.close()
                continue
        reused += s.session_reused
        best = took if best is None else min(best, took)
        s.close()
    print("%.1f ms %d resumed" % (best, reused))


if __name__ == "__main__":
    main()
