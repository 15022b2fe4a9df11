#!/usr/bin/env python3
"""Writes the uncompressed ELF kernel found inside a bzImage.

usage: extract-vmlinux.py BZIMAGE OUT

qemu can boot the ELF directly (PVH entry), which skips the in-guest
decompressor: a few seconds saved per boot under TCG. The payload is located
by scanning for compression magics and keeping the first one that inflates to
an ELF image.
"""
import lzma
import subprocess
import sys
import zlib

ELF_MAGIC = b"\x7fELF"


def inflate(kind, data):
    if kind == "xz":
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    if kind == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    return subprocess.run(["zstd", "-dcq"], input=data, capture_output=True).stdout


def main():
    image = open(sys.argv[1], "rb").read()
    magics = [("xz", b"\xfd7zXZ\x00"), ("zstd", b"\x28\xb5\x2f\xfd"), ("gzip", b"\x1f\x8b\x08")]
    for kind, magic in magics:
        at = image.find(magic)
        while at >= 0:
            try:
                payload = inflate(kind, image[at:])
            except (lzma.LZMAError, zlib.error, OSError):
                payload = b""
            if payload.startswith(ELF_MAGIC):
                with open(sys.argv[2], "wb") as out:
                    out.write(payload)
                return 0
            at = image.find(magic, at + 1)
    print("extract-vmlinux: no compressed ELF payload found", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
