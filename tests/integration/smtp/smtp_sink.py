#!/usr/bin/env python3
"""A tiny SMTP sink for vigild's smtp_alert test: takes every mail and appends
"RCPT <addr>" lines and the message text to OUT. Writes READY once listening,
and exits by itself after LIFETIME seconds. Usage: smtp_sink.py PORT OUT READY LIFETIME"""
import asyncio
import sys

PORT, OUT, READY, LIFETIME = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])


async def session(reader, writer):
    def say(line):
        writer.write((line + "\r\n").encode())

    say("220 sink ready")
    recipients = []
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line.decode(errors="replace").strip().upper()
        if verb.startswith(("HELO", "EHLO", "MAIL", "RSET", "NOOP")):
            say("250 ok")
        elif verb.startswith("RCPT"):
            recipients.append(line.decode(errors="replace").strip()[8:])
            say("250 ok")
        elif verb == "DATA":
            say("354 end with <CRLF>.<CRLF>")
            body = b""
            while True:
                chunk = await reader.readline()
                if not chunk or chunk == b".\r\n":
                    break
                body += chunk[1:] if chunk.startswith(b"..") else chunk
            with open(OUT, "ab") as out:
                for r in recipients:
                    out.write(b"RCPT " + r.encode() + b"\n")
                out.write(body + b"\n")
            say("250 queued")
        elif verb == "QUIT":
            say("221 bye")
            break
        else:
            say("500 what")
        await writer.drain()
    await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", PORT)
    open(READY, "w").close()
    async with server:
        await asyncio.sleep(LIFETIME)


asyncio.run(main())
