"""fcgi: FastCGI 1.0 records for the test responder and client (Python standard library only)."""

import struct

VERSION = 1
BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = \
    1, 2, 3, 4, 5, 6, 7
GET_VALUES, GET_VALUES_RESULT, UNKNOWN_TYPE = 9, 10, 11
RESPONDER = 1
KEEP_CONN = 1
REQUEST_COMPLETE, CANT_MPX_CONN, OVERLOADED, UNKNOWN_ROLE = 0, 1, 2, 3
CONTENT_MAX = 65535


def record(rtype, content=b"", request_id=1):
    """One record, padded to a multiple of 8 bytes."""
    pad = -len(content) % 8
    return struct.pack(">BBHHBB", VERSION, rtype, request_id, len(content),
                       pad, 0) + content + b"\0" * pad


def stream(rtype, data, request_id=1):
    """data as records of at most CONTENT_MAX bytes (no end marker)."""
    return b"".join(record(rtype, data[i:i + CONTENT_MAX], request_id)
                    for i in range(0, len(data), CONTENT_MAX))


def end_request(app_status=0, protocol_status=REQUEST_COMPLETE,
                request_id=1):
    return record(END_REQUEST, struct.pack(">IB3x", app_status,
                                           protocol_status), request_id)


def encode_length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def encode_pairs(pairs):
    out = bytearray()
    for name, value in pairs:
        out += encode_length(len(name)) + encode_length(len(value))
        out += name + value
    return bytes(out)


def decode_pairs(data):
    """Name-value pairs as a dict of bytes; ValueError when malformed."""
    pairs, at = {}, 0
    lengths = []
    while at < len(data):
        lengths.clear()
        for _ in range(2):
            if at >= len(data):
                raise ValueError("pair cut short")
            if data[at] < 128:
                lengths.append(data[at])
                at += 1
            else:
                if at + 4 > len(data):
                    raise ValueError("length cut short")
                lengths.append(struct.unpack(">I", data[at:at + 4])[0]
                               & 0x7fffffff)
                at += 4
        nl, vl = lengths
        if at + nl + vl > len(data):
            raise ValueError("pair longer than the stream")
        pairs[data[at:at + nl]] = data[at + nl:at + nl + vl]
        at += nl + vl
    return pairs


def read_exact(sock, n):
    """n bytes, or fewer at EOF."""
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def read_record(sock):
    """(type, request id, content), or None at EOF; ValueError when bad."""
    head = read_exact(sock, 8)
    if not head:
        return None
    if len(head) < 8:
        raise ValueError("record header cut short")
    version, rtype, rid, length, pad, _ = struct.unpack(">BBHHBB", head)
    if version != VERSION:
        raise ValueError("FastCGI version %d" % version)
    body = read_exact(sock, length + pad)
    if len(body) < length + pad:
        raise ValueError("record cut short")
    return rtype, rid, body[:length]
