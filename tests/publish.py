#!/usr/bin/env python3
"""publish.py: ways of publishing a page, and a reader racing a writer, for tests/36-publishing.t.

Usage:
  publish.py tmpfile DIR NAME TEXT      O_TMPFILE in DIR, write TEXT, linkat to DIR/NAME, close
  publish.py truncate PATH SIZE         truncate(2) without open
  publish.py race PORT DIR N SECONDS    rewrite N pages DIR/2011-race-I.gmi in place (truncate,
                                        write half, pause 0.2 s, write the rest) while two readers
                                        fetch them; prints "reads R ok20 A bad20 B busy40 C"
Loopback only; bounded in count and time.
"""
import ctypes
import os
import random
import socket
import ssl
import sys
import threading
import time


def page_text(i):
    return "# Race %d\n\n%s\nEND-OF-PAGE %d\n" % (i, "filler line of text\n" * 200, i)


def fetch(port, path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(("gemini://localhost:%d/%s\r\n" % (port, path)).encode())
            data = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except (ssl.SSLError, OSError):
                    break
                if not chunk:
                    break
                data += chunk
    return data


def race(port, d, n, seconds):
    names = ["2011-race-%d.gmi" % i for i in range(n)]
    for i, name in enumerate(names):
        with open(os.path.join(d, name), "w") as f:
            f.write(page_text(i))
    time.sleep(1.5)
    stop = time.time() + seconds
    counts = {"reads": 0, "ok20": 0, "bad20": 0, "busy40": 0}
    lock = threading.Lock()

    def writer():
        while time.time() < stop:
            i = random.randrange(n)
            text = page_text(i)
            half = len(text) // 2
            with open(os.path.join(d, names[i]), "r+") as f:
                f.truncate(0)
                f.write(text[:half])
                f.flush()
                time.sleep(0.2)
                f.write(text[half:])

    def reader():
        while time.time() < stop:
            i = random.randrange(n)
            try:
                data = fetch(port, "chapters/" + names[i])
            except OSError:
                continue
            with lock:
                counts["reads"] += 1
                if data.startswith(b"20 "):
                    if (b"END-OF-PAGE %d\n" % i) in data:
                        counts["ok20"] += 1
                    else:
                        counts["bad20"] += 1
                elif data.startswith(b"40 "):
                    counts["busy40"] += 1

    threads = [threading.Thread(target=writer) for _ in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("reads %(reads)d ok20 %(ok20)d bad20 %(bad20)d busy40 %(busy40)d" % counts)


def main():
    mode = sys.argv[1]
    if mode == "tmpfile":
        d, name, text = sys.argv[2], sys.argv[3], sys.argv[4]
        fd = os.open(d, os.O_TMPFILE | os.O_WRONLY, 0o644)
        os.write(fd, text.encode())
        # linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, name, AT_SYMLINK_FOLLOW)
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.linkat(-100, b"/proc/self/fd/%d" % fd, -100,
                       os.path.join(d, name).encode(), 0x400) != 0:
            sys.exit("linkat: " + os.strerror(ctypes.get_errno()))
        time.sleep(0.3)
        os.close(fd)
    elif mode == "truncate":
        os.truncate(sys.argv[2], int(sys.argv[3]))
    elif mode == "race":
        race(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
