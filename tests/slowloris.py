#!/usr/bin/env python3
"""slowloris.py: hold N connections to a port open, each trickling a TLS ClientHello.

Usage: slowloris.py PORT N SECONDS READY-FILE [bytes|records]
bytes (the default) sends one record's bytes one at a time; records sends
the handshake message one byte per TLS record (16 03 01 00 01 XX), each
record whole in itself. Writes the number of connections open to
READY-FILE once they are all up, then keeps trickling for SECONDS and
exits. Loopback only; bounded in count and time.
"""
import resource
import select
import socket
import sys
import time

MESSAGE = bytes.fromhex("010000c00303") + bytes(190)
HELLO = bytes.fromhex("16030100c4") + MESSAGE


def pieces(mode):
    if mode == "records":
        return [bytes.fromhex("1603010001") + MESSAGE[i:i + 1] for i in range(len(MESSAGE))]
    return [HELLO[i:i + 1] for i in range(len(HELLO))]


def main():
    port, count, seconds, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    mode = sys.argv[5] if len(sys.argv) > 5 else "bytes"
    if mode not in ("bytes", "records"):
        sys.exit("slowloris.py: the mode is bytes or records")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    for i in range(count):
        s = socket.socket()
        # spread the sources over 127.0.0.0/8 like many clients would be
        s.bind(("127.0.%d.%d" % (1 + i // 250, 1 + i % 250), 0))
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    poller = select.poll()
    for s in socks:
        poller.register(s, select.POLLOUT)
    deadline = time.time() + 10
    connected = 0
    while connected < len(socks) and time.time() < deadline:
        for fd, _ in poller.poll(1000):
            poller.unregister(fd)
            connected += 1
    with open(ready, "w") as f:
        f.write("%d\n" % connected)
    end = time.time() + seconds
    for piece in pieces(mode):
        if time.time() >= end:
            break
        for s in socks:
            try:
                s.send(piece)
            except OSError:
                pass
        time.sleep(0.5)
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
