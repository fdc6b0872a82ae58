#!/usr/bin/env python3
"""The chaos run's client: files OPS cases through the gateway's JSON API at
RATE a second from THREADS threads, each with an Idempotency-Key of its own
("chaos-N") and a reporter's phone of its own (139 and N), retrying the same key until the gateway answers it 201 (or 200,
the same case again): a refused connection, a 5xx or a timeout while a
service is killed is only a reason to try again. Writes one line per case
acknowledged, "KEY CASE_ID TRIES", to OUT; prints "operations N, retried R,
gave up G" at the end. Gives up a key only after GIVE_UP seconds of tries.

    client.py URL TOKEN OPS RATE THREADS OUT [GIVE_UP]
"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

url, token, ops, rate, threads, out = sys.argv[1:7]
ops, rate, threads = int(ops), float(rate), int(threads)
give_up = float(sys.argv[7]) if len(sys.argv) > 7 else 120.0
host = urllib.parse.urlparse(url)
lock = threading.Lock()
acked, retried, abandoned = [], [0], [0]
start = time.monotonic()


def post(conn, key, body):
    conn.request("POST", "/api/v1/cases", body=body, headers={
        "Authorization": "Bearer " + token, "Idempotency-Key": key,
        "Content-Type": "application/json"})
    res = conn.getresponse()
    return res.status, res.read()


def work(first):
    conn = None
    rnd = random.Random(first)
    for i in range(first, ops, threads):
        due = start + i / rate  # the offered load: op i is sent at i / RATE
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        key = "chaos-%d" % i
        body = json.dumps({"channel": "app", "category": "complaint.noise",
                           "description": "chaos %d" % i,
                           "location": {"point": {"lat": 39.9005 + rnd.random() * 0.028,
                                                  "lon": 116.3005 + rnd.random() * 0.028}},
                           "reporter": {"phone": "139%08d" % i}})
        tries, began = 0, time.monotonic()
        while True:
            tries += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
                status, data = post(conn, key, body)
                if status in (200, 201):
                    case = json.loads(data)["case_id"]
                    with lock:
                        acked.append("%s %s %d" % (key, case, tries))
                    break
                if 400 <= status < 500 and status not in (408, 429):
                    sys.stderr.write("%s: refused %d %s\n" % (key, status, data[:200]))
                    break  # a permanent refusal: the test counts it as lost
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                if conn is not None:
                    conn.close()
                conn = None
            if time.monotonic() - began > give_up:
                with lock:
                    abandoned[0] += 1
                break
            time.sleep(0.1)
        if tries > 1:
            with lock:
                retried[0] += 1


workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
with open(out, "w") as f:
    f.write("\n".join(acked) + ("\n" if acked else ""))
print("operations %d, retried %d, gave up %d, in %.1f s" % (ops, retried[0], abandoned[0], time.monotonic() - start))
