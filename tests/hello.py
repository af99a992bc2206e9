#!/usr/bin/env python3
"""hello.py: a real TLS client whose ClientHello is cut into records of SIZE bytes.

Usage: hello.py PORT SIZE URL
Python's own ClientHello, re-framed, then the handshake and the request as
usual (through memory BIOs); prints the answer's header line. Loopback only.
"""
import socket
import ssl
import sys


def reframe(data, size):
    """The first record's payload in records of at most size bytes."""
    length = int.from_bytes(data[3:5], "big")
    body, rest = data[5:5 + length], data[5 + length:]
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += data[:3] + len(piece).to_bytes(2, "big") + piece
    return out + rest


def main():
    port, size, url = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    first = True
    while True:
        try:
            tls.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            done = False
        data = outgoing.read()
        if first:
            data = reframe(data, size)
            first = False
        if data:
            sock.sendall(data)
        if done:
            break
        got = sock.recv(65536)
        if not got:
            sys.exit("closed during the handshake")
        incoming.write(got)
    tls.write((url + "\r\n").encode())
    sock.sendall(outgoing.read())
    answer = b""
    while b"\r\n" not in answer:
        got = sock.recv(65536)
        if not got:
            break
        incoming.write(got)
        try:
            answer += tls.read(65536)
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLZeroReturnError:
            break
    print(answer.split(b"\r\n")[0].decode("utf-8", "replace"))


if __name__ == "__main__":
    main()
