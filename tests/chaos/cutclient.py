#!/usr/bin/env python3
"""The network-cut test's client (tests/chaos/netcut.sh): files cases through
the gateway's JSON API at RATE a second for SECONDS, from THREADS threads,
each with an Idempotency-Key of its own ("cut-N"), retrying the same key 0.2 s
after any answer but 201/200 until it is acknowledged. Unlike the crash
test's client it keeps every attempt, so the test can say how each request
ended while a link was cut: one line per attempt in ATTEMPTS,

    SENT_EPOCH_S TOOK_S STATUS CODE KEY

(STATUS 0 and CODE "no-answer" when the connection failed or nothing came
back within 30 s: a hang), and one line per acknowledged key in ACKED,
"KEY CASE_ID". Stops when SECONDS have passed and every key is acknowledged
or has been tried for GIVE_UP seconds.

    cutclient.py URL TOKEN RATE SECONDS THREADS ATTEMPTS ACKED [GIVE_UP]
"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

url, token, rate, seconds, threads, attempts_path, acked_path = sys.argv[1:8]
rate, seconds, threads = float(rate), float(seconds), int(threads)
give_up = float(sys.argv[8]) if len(sys.argv) > 8 else 90.0
host = urllib.parse.urlparse(url)
ops = int(rate * seconds)
lock = threading.Lock()
attempts, acked = [], []
start = time.monotonic()


def attempt(conn, key, body):
    conn.request("POST", "/api/v1/cases", body=body, headers={
        "Authorization": "Bearer " + token, "Idempotency-Key": key,
        "Content-Type": "application/json"})
    res = conn.getresponse()
    data = res.read()
    code = "-"
    try:
        doc = json.loads(data)
        code = doc.get("code") or doc.get("error", {}).get("code") or "-" if isinstance(doc, dict) else "-"
    except (ValueError, AttributeError):
        pass
    return res.status, code, data


def work(first):
    conn = None
    rnd = random.Random(first)
    for i in range(first, ops, threads):
        wait = start + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        key = "cut-%d" % i
        body = json.dumps({"channel": "app", "category": "complaint.noise",
                           "description": "cut %d" % i,
                           "location": {"point": {"lat": 39.9005 + rnd.random() * 0.028,
                                                  "lon": 116.3005 + rnd.random() * 0.028}},
                           "reporter": {"phone": "137%08d" % i}})
        began = time.monotonic()
        while True:
            sent = time.time()
            status, code, data = 0, "no-answer", b""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
                status, code, data = attempt(conn, key, body)
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
            with lock:
                attempts.append("%.3f %.3f %d %s %s" % (sent, time.time() - sent, status, code, key))
            if status in (200, 201):
                with lock:
                    acked.append("%s %s" % (key, json.loads(data)["case_id"]))
                break
            if time.monotonic() - began > give_up:
                break
            time.sleep(0.2)


workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
with open(attempts_path, "w") as f:
    f.write("\n".join(attempts) + "\n")
with open(acked_path, "w") as f:
    f.write("\n".join(acked) + ("\n" if acked else ""))
print("operations %d, acknowledged %d, attempts %d" % (ops, len(acked), len(attempts)))
