#!/usr/bin/env python3
"""slowloris.py: hold N connections to a port open, each trickling a TLS ClientHello one byte at a time.

Usage: slowloris.py PORT N SECONDS READY-FILE
Writes the number of connections open to READY-FILE once they are all up, then keeps
trickling for SECONDS and exits. Loopback only; bounded in count and time.
"""
import resource
import select
import socket
import sys
import time

HELLO = bytes.fromhex("16030100c4010000c00303") + bytes(200)


def main():
    port, count, seconds, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
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
    offset = 0
    end = time.time() + seconds
    while time.time() < end and offset < len(HELLO):
        for s in socks:
            try:
                s.send(HELLO[offset:offset + 1])
            except OSError:
                pass
        offset += 1
        time.sleep(0.5)
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
