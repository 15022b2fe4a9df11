#!/usr/bin/env python3
"""Turns a pcap of VRRP adverts into tests/data/vrrp's hex format.

One packet per block: a '# packet N t=SECONDS' line (time since the first
packet) then the bytes from the IP header on, 16 per line. The Ethernet
header is dropped. The config that produced the capture is kept at the top
as comment lines so a vector can be traced to what keepalived was told.
"""
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"unexpected link type {linktype}")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        yield sec + frac / (1e9 if nano else 1e6), frame[14:]


def main():
    path, name, conf = sys.argv[1:4]
    print(f"# {name}: captured from keepalived 2.2.7 (Debian) by capture.sh")
    print("# bytes start at the IP header; one block per packet")
    with open(conf) as f:
        for line in f:
            print("# conf: " + line.rstrip())
    start = None
    for n, (t, pkt) in enumerate(packets(path)):
        start = t if start is None else start
        print(f"# packet {n} t={t - start:.6f}")
        for i in range(0, len(pkt), 16):
            print(" ".join(f"{b:02x}" for b in pkt[i:i + 16]))


if __name__ == "__main__":
    main()
