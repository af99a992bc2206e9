#!/usr/bin/env python3
"""titan.py: a Titan client that misbehaves on purpose, for tests/47-titan.t.

titan.py [options] PORT REQUEST-LINE
  --body FILE    the body to send after the request line (default: none)
  --cut N        send only the first N bytes of the body, then close
  --send N       send only the first N bytes of the body, and wait (a stall)
  --extra N      send N bytes more than the body
  --pause S      sleep S seconds half way through the body
  --cert C --key K  a client certificate
  --timeout T    give up reading after T seconds (default 5)
Prints the response header, or "closed" when the server closed without
one, or "timeout" when nothing came within the timeout.
"""
import argparse
import socket
import ssl
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("line")
    ap.add_argument("--body")
    ap.add_argument("--cut", type=int)
    ap.add_argument("--send", type=int)
    ap.add_argument("--extra", type=int, default=0)
    ap.add_argument("--pause", type=float, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--timeout", type=float, default=5)
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    raw = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    body = b""
    if a.body:
        with open(a.body, "rb") as f:
            body = f.read()
    if a.cut is not None:
        body = body[:a.cut]
    if a.send is not None:
        body = body[:a.send]
    body += b"x" * a.extra
    try:
        s.sendall(a.line.encode() + b"\r\n")
        if a.pause and body:
            half = len(body) // 2
            s.sendall(body[:half])
            time.sleep(a.pause)
            s.sendall(body[half:])
        elif body:
            s.sendall(body)
    except OSError:
        pass
    if a.cut is not None:
        # Ends the body early: the TCP connection goes, not just TLS.
        s.close()
        print("closed")
        return
    deadline = time.time() + a.timeout
    got = b""
    while b"\n" not in got:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            print("timeout")
            return
        except (ssl.SSLError, OSError):
            chunk = b""
        if not chunk:
            break
        got += chunk
    line = got.split(b"\r\n")[0].decode("utf-8", "replace")
    print(line if line else "closed")


if __name__ == "__main__":
    sys.exit(main())
