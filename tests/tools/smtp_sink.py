#!/usr/bin/python3
"""A real SMTP server for the notification tests: aiosmtpd (RFC 5321) on 127.0.0.1,
writing every message it accepts to FOLDER as <n>.eml (the raw message as received,
after the server undid dot-stuffing) with <n>.json beside it ({"mail_from", "rcpt_tos"}).

  smtp_sink.py FOLDER [PORT [CERT KEY]]    PORT 0 (default) picks a free port; with a
                                          certificate and key, STARTTLS is offered and
                                          required before MAIL

Prints "listening PORT" on stdout once it accepts connections; stops on SIGTERM/SIGINT.
With FOLDER/refuse containing a code (e.g. "451" or "550"), each DATA is answered with
that code instead of being stored (the tests' way to make the server fail); with
FOLDER/delay containing seconds, the 250 to each DATA comes that long after the message
is stored. With FOLDER/auth present when it starts ("user:password", optionally ":LOGIN"
to offer only AUTH LOGIN), AUTH is required (after STARTTLS) with those credentials, and each
successful login is appended to FOLDER/auth-log as "MECHANISM user".
"""
import asyncio
import json
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        refuse = os.path.join(self.folder, "refuse")
        if os.path.exists(refuse):
            with open(refuse) as f:
                code = f.read().strip() or "451"
            return f"{code} refused by the test"
        self.count += 1
        base = os.path.join(self.folder, f"{os.getpid()}-{self.count}")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".tmp", base + ".eml")
        delay = os.path.join(self.folder, "delay")
        if os.path.exists(delay):
            # Stored, but the client hears so only later: the window in which a client
            # that dies has sent a mail without knowing it.
            with open(delay) as f:
                await asyncio.sleep(float(f.read().strip() or "1"))
        return "250 OK stored"


def main():
    folder = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    os.makedirs(folder, exist_ok=True)
    if port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    tls = {}
    if len(sys.argv) > 4:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        tls = {"tls_context": context, "require_starttls": True}
    auth = {}
    auth_file = os.path.join(folder, "auth")
    if os.path.exists(auth_file):
        with open(auth_file) as f:
            parts = f.read().strip().split(":")
        user, password = parts[0], parts[1]
        only = parts[2] if len(parts) > 2 else ""

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            if ok:
                with open(os.path.join(folder, "auth-log"), "a") as log:
                    log.write(f"{mechanism} {user}\n")
            return AuthResult(success=ok, handled=False)

        auth = {"authenticator": authenticator, "auth_required": True,
                "auth_require_tls": True}
        if only == "LOGIN":
            auth["auth_exclude_mechanism"] = ["PLAIN"]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port,
                            decode_data=False, enable_SMTPUTF8=True, **tls, **auth)
    controller.start()
    print(f"listening {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
