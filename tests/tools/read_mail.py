#!/usr/bin/python3
"""Reads the messages smtp_sink.py stored in FOLDER with Python's own e-mail parser
(an independent reader of our RFC 5322 / RFC 2047 / MIME output) and prints them as one
JSON array, oldest first: {"file", "rcpt_tos", "to", "from", "subject", "message_id",
"content_type", "charset", "body"} with the subject and body decoded.
"""
import email
import email.policy
import json
import os
import sys


def main():
    folder = sys.argv[1]
    out = []
    names = [n for n in os.listdir(folder) if n.endswith(".eml")]
    names.sort(key=lambda n: os.path.getmtime(os.path.join(folder, n)))
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        with open(path[:-4] + ".json") as f:
            env = json.load(f)
        body = msg.get_content() if not msg.is_multipart() else ""
        out.append({
            "file": name,
            "rcpt_tos": env["rcpt_tos"],
            "to": str(msg["To"]),
            "from": str(msg["From"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "body": body,
            "defects": [type(d).__name__ for d in msg.defects],
        })
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
