#!/usr/bin/python3
"""A local mail sink and robot receiver for notify: what `make up` points
notify at, and what the tests use as the outside world. Real servers on
127.0.0.1: SMTP (aiosmtpd) and HTTP that answers like WeCom and DingTalk
robots, a generic webhook and an SMS gateway. Every message received is one
JSON line in --out.

HTTP paths:
  POST /cgi-bin/webhook/send?key=K     WeCom group robot
  POST /robot/send?access_token=T&timestamp=MS&sign=S   DingTalk robot
  POST /webhook/NAME                   generic webhook (X-Gov-Signature checked)
  POST or GET /sms?phone=P&text=T      SMS gateway (JSON body or query)
  POST /sms/NAME                       the same, answering as NAME says (below)
  GET  /messages                       everything received, as a JSON array

How a robot answers depends on its key or token, so a test can pick:
  ok*        errcode 0 (DingTalk: only with a valid sign when --secret is set)
  bad*       errcode 93000 (invalid key: permanent)
  busy*      errcode 45009 / 130101 (rate limited) every time
  flakyN*    HTTP 500 for the first N requests, then ok
  limit*     the robots' real rule: 20 a minute (--robot-window-ms), then 45009 / 130101
  slowN*     sleeps N ms before answering ok
An SMS gateway at /sms/NAME answers by the same names (bad: HTTP 400, busy:
HTTP 429, flakyN: HTTP 500 N times); one whose NAME holds "echo" repeats the
text in its answer, as some SMS gateways do.
"""
import argparse
import asyncio
import base64
import email
import email.policy
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

lock = threading.Lock()
received = []
counts = {}
windows = {}
args = None


def record(item):
    item["at"] = int(time.time() * 1000)
    with lock:
        keys = {r.get("key") for r in received if r.get("key")}
        item["repeat"] = bool(item.get("key")) and item["key"] in keys
        received.append(item)
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def behaviour(name):
    """The answer a robot named `name` gives now: ok, bad, busy, 500, slow."""
    with lock:
        counts[name] = counts.get(name, 0) + 1
        n = counts[name]
        if name.startswith("flaky"):
            digits = "".join(c for c in name[5:] if c.isdigit()) or "1"
            return "500" if n <= int(digits) else "ok"
        if name.startswith("limit"):
            now = time.time()
            w = [t for t in windows.get(name, []) if t > now - args.robot_window_ms / 1000]
            if len(w) >= 20:
                windows[name] = w
                return "busy"
            windows[name] = w + [now]
            return "ok"
    if name.startswith("slow"):
        digits = "".join(c for c in name[4:] if c.isdigit()) or "100"
        time.sleep(int(digits) / 1000)
        return "ok"
    for b in ("bad", "busy"):
        if name.startswith(b):
            return b
    return "ok"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, doc):
        body = json.dumps(doc, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/messages":
            with lock:
                return self.answer(200, received)
        if url.path == "/sms":
            q = urllib.parse.parse_qs(url.query)
            record({"channel": "sms", "phone": q.get("phone", [""])[0], "text": q.get("text", [""])[0]})
            return self.answer(200, {"ok": True})
        self.answer(404, {"error": "no such path"})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        raw = self.body()
        try:
            doc = json.loads(raw or b"{}")
        except ValueError:
            return self.answer(400, {"error": "not JSON"})
        if url.path == "/cgi-bin/webhook/send":
            return self.robot("wecom", q.get("key", ""), doc, 45009, True)
        if url.path == "/robot/send":
            ok = True
            if args.secret:
                want = base64.b64encode(hmac.new(args.secret.encode(),
                                                 (q.get("timestamp", "") + "\n" + args.secret).encode(),
                                                 hashlib.sha256).digest()).decode()
                ok = hmac.compare_digest(want, q.get("sign", ""))
            return self.robot("dingtalk", q.get("access_token", ""), doc, 130101, ok)
        if url.path.startswith("/webhook/"):
            name = url.path[len("/webhook/"):]
            key = self.headers.get("X-Gov-Idempotency-Key", "")
            stamp = self.headers.get("X-Gov-Timestamp", "")
            sig = self.headers.get("X-Gov-Signature", "")
            sig_ok = None
            if args.secret:
                want = "sha256=" + hmac.new(args.secret.encode(), stamp.encode() + b"." + raw,
                                            hashlib.sha256).hexdigest()
                sig_ok = hmac.compare_digest(want, sig)
            b = behaviour(name)
            if b == "500":
                return self.answer(500, {"error": "try later"})
            if b == "bad" or sig_ok is False:
                return self.answer(403, {"error": "refused"})
            record({"channel": "webhook", "name": name, "key": key, "sig_ok": sig_ok,
                    "subject": doc.get("subject"), "text": doc.get("text"), "kind": doc.get("kind")})
            return self.answer(200, {"ok": True})
        if url.path == "/sms":
            record({"channel": "sms", "phone": doc.get("phone", ""), "text": doc.get("text", "")})
            return self.answer(200, {"ok": True})
        if url.path.startswith("/sms/"):
            name = url.path[len("/sms/"):]
            b = behaviour(name)
            if b in ("500", "bad", "busy"):
                return self.answer({"500": 500, "bad": 400, "busy": 429}[b], {"error": b})
            record({"channel": "sms", "name": name, "phone": doc.get("phone", ""),
                    "text": doc.get("text", "")})
            return self.answer(200, {"ok": True, **({"text": doc.get("text", "")} if "echo" in name else {})})
        self.answer(404, {"error": "no such path"})

    def robot(self, kind, name, doc, rate_code, sign_ok):
        b = behaviour(name)
        if b == "500":
            return self.answer(500, {"errcode": -1, "errmsg": "system busy"})
        if not sign_ok:
            record({"channel": kind, "name": name, "refused": 310000})
            return self.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
        if b == "bad":
            record({"channel": kind, "name": name, "refused": 93000})
            return self.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        if b == "busy":
            record({"channel": kind, "name": name, "refused": rate_code})
            return self.answer(200, {"errcode": rate_code, "errmsg": "send too fast"})
        text = (doc.get("text") or {}).get("content", "")
        record({"channel": kind, "name": name, "text": text, "bytes": len(text.encode())})
        self.answer(200, {"errcode": 0, "errmsg": "ok"})


class Mail:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                parts[part.get_content_type()] = part.get_content()
        if any(r.startswith("reject") for r in envelope.rcpt_tos):
            return "550 mailbox unavailable"
        record({"channel": "email", "to": envelope.rcpt_tos, "from": envelope.mail_from,
                "subject": str(msg["subject"]), "key": msg.get("X-Gov-Idempotency-Key", ""),
                "text": parts.get("text/plain", ""), "html": parts.get("text/html", "")})
        return "250 OK"


def main():
    global args
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--http-port", type=int, required=True)
    p.add_argument("--out", required=True, help="a JSON line per message received")
    p.add_argument("--secret", default="", help="the DingTalk and webhook signing secret")
    p.add_argument("--bind", default="127.0.0.1", help="the address to listen on")
    p.add_argument("--robot-window-ms", type=int, default=60000,
                   help="the window of the limit* robots' 20-message rule")
    args = p.parse_args()
    open(args.out, "a").close()
    smtp = Controller(Mail(), hostname=args.bind, port=args.smtp_port)
    smtp.start()
    http = ThreadingHTTPServer((args.bind, args.http_port), Handler)
    print(f"sink: SMTP on {args.bind}:{args.smtp_port}, HTTP on {args.bind}:{args.http_port}, "
          f"messages in {args.out}", flush=True)
    try:
        http.serve_forever()
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
