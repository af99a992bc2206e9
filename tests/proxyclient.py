#!/usr/bin/env python3
"""proxyclient.py: a Gemini request behind a PROXY protocol header, as HAProxy sends it.

Usage: proxyclient.py PORT MODE SRC SPORT [HOLD]
  MODE: v1, v2 (with TLVs), v2-trickle (v2 one byte at a time), none (no header),
        long (a v1 line past 107 bytes), local (v2 LOCAL, a health check)
  HOLD: seconds to keep the connection open after the handshake, sending no request
Prints the response's header line, or "closed" when the server closes without one.
Loopback only; bounded in time.
"""
import ipaddress
import socket
import ssl
import struct
import sys
import time


def v2(src, sport, dst, dport, local=False):
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    tlvs = b"\x01" + struct.pack("!H", 6) + b"gemini"          # PP2_TYPE_ALPN
    tlvs += b"\x02" + struct.pack("!H", 9) + b"localhost"       # PP2_TYPE_AUTHORITY
    tlvs += b"\x05" + struct.pack("!H", 4) + b"\x01\x02\x03\x04"  # PP2_TYPE_UNIQUE_ID
    if local:
        return sig + b"\x20\x00" + struct.pack("!H", 0)
    addrs = ipaddress.ip_address(src).packed + ipaddress.ip_address(dst).packed
    addrs += struct.pack("!HH", sport, dport)
    body = addrs + tlvs
    return sig + b"\x21\x11" + struct.pack("!H", len(body)) + body


def main():
    port, mode, src, sport = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    hold = float(sys.argv[5]) if len(sys.argv) > 5 else 0
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    if mode == "v1":
        raw.sendall(("PROXY TCP4 %s 127.0.0.1 %d %d\r\n" % (src, sport, port)).encode())
    elif mode == "v2":
        raw.sendall(v2(src, sport, "127.0.0.1", port))
    elif mode == "local":
        raw.sendall(v2(src, sport, "127.0.0.1", port, local=True))
    elif mode == "v2-trickle":
        for b in v2(src, sport, "127.0.0.1", port):
            raw.sendall(bytes([b]))
            time.sleep(0.005)
    elif mode == "long":
        raw.sendall(b"PROXY TCP4 " + b"1" * 120 + b"\r\n")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        if hold:
            time.sleep(hold)
        s.sendall(("gemini://localhost:%d/\r\n" % port).encode())
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ssl.SSLError, OSError):
        data = b""
    line = data.split(b"\r\n")[0].decode(errors="replace")
    print(line if line else "closed")


if __name__ == "__main__":
    main()
