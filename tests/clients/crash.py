#!/usr/bin/env python3
"""kill -9 mid-load: every acknowledged point must be there after a restart.

usage: crash.py EDGEFLUX_BINARY PORT ENGINE_DIR
Starts `edgeflux serve` (onboarded from EDGEFLUX_INIT_*, small --snapshot-bytes so
snapshots and log truncation happen during the load), writes batches from 3 threads,
SIGKILLs the server after ~2 s, restarts it on the same directory and checks that every
batch answered 204 is complete. Then stops it with SIGTERM (graceful) and checks a third
start. Prints PASS/FAIL lines and a closing count. Stdlib only; every loop is bounded.
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

BINARY, PORT, DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TOKEN, ORG, BUCKET = "crash-token", "crash-org", "crash-bucket"
LINES_PER_BATCH = 500
results = []


def report(name, ok, why=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} crash: {name}{'' if ok else ': ' + why}", flush=True)


def start():
    env = dict(os.environ)
    env.update(
        EDGEFLUX_INIT_USERNAME="crash",
        EDGEFLUX_INIT_PASSWORD="crash-password",
        EDGEFLUX_INIT_ORG=ORG,
        EDGEFLUX_INIT_BUCKET=BUCKET,
        EDGEFLUX_INIT_ADMIN_TOKEN=TOKEN,
        EDGEFLUX_INIT_RETENTION="0",
    )
    log = open(os.path.join(DIR, "..", f"crash-server-{PORT}.log"), "ab")
    proc = subprocess.Popen(
        [BINARY, "serve", "--http-bind-address", f"127.0.0.1:{PORT}", "--engine-path", DIR, "--snapshot-bytes", "20000"],
        env=env,
        stdout=log,
        stderr=log,
    )
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            c.request("GET", "/ping")
            if c.getresponse().status == 204:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not answer /ping within 15 s")


acked = set()
lock = threading.Lock()
stop = threading.Event()


def writer(worker):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    for n in range(100000):
        if stop.is_set():
            return
        batch = f"w{worker}b{n}"
        body = "\n".join(f"crash,batch={batch} seq={i}i {1_600_000_000_000_000_000 + n * 1000 + i}" for i in range(LINES_PER_BATCH))
        try:
            conn.request(
                "POST",
                f"/api/v2/write?org={ORG}&bucket={BUCKET}&precision=ns",
                body=body,
                headers={"Authorization": f"Token {TOKEN}", "Content-Type": "text/plain"},
            )
            r = conn.getresponse()
            r.read()
            if r.status == 204:
                with lock:
                    acked.add(batch)
        except (OSError, http.client.HTTPException):
            return  # the server is gone


def counts():
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    flux = f'from(bucket: "{BUCKET}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "crash") |> group(columns: ["batch"]) |> count()'
    conn.request(
        "POST",
        f"/api/v2/query?org={ORG}",
        body=json.dumps({"query": flux}),
        headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
    )
    r = conn.getresponse()
    text = r.read().decode()
    if r.status != 200:
        raise RuntimeError(f"query: {r.status} {text[:200]}")
    lines = [l for l in text.splitlines() if l and not l.startswith(",result")]
    header = [l for l in text.splitlines() if l.startswith(",result")][0].split(",")
    bi, vi = header.index("batch"), header.index("_value")
    return {l.split(",")[bi]: int(l.split(",")[vi]) for l in lines}


def main():
    os.makedirs(DIR, exist_ok=True)
    try:
        proc = start()
    except RuntimeError as e:
        report("first start with EDGEFLUX_INIT_*", False, str(e))
        return
    report("first start with EDGEFLUX_INIT_*", True)
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    report(f"load before kill -9 ({len(acked)} batches acknowledged)", len(acked) > 0, "nothing acknowledged")
    snapshots = [f for f in os.listdir(DIR) if f.startswith("snapshot-")]
    report("snapshots were taken during the load", bool(snapshots), str(os.listdir(DIR)))

    try:
        proc = start()
    except RuntimeError as e:
        report("restart after kill -9", False, str(e))
        return
    try:
        got = counts()
        missing = [b for b in acked if got.get(b) != LINES_PER_BATCH]
        report(
            f"every acknowledged point is there after restart ({len(acked)} batches, {sum(got.values())} points stored)",
            not missing,
            f"{len(missing)} acknowledged batches incomplete, e.g. {missing[:3]} -> {[got.get(b) for b in missing[:3]]}",
        )
        partial = [b for b, n in got.items() if n != LINES_PER_BATCH]
        report("no batch is half-applied", not partial, f"{partial[:3]}")
    except Exception as e:  # noqa: BLE001
        report("query after restart", False, str(e))
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=20)
        report("SIGTERM shuts down gracefully (exit 0)", code == 0, f"exit {code}")
    except subprocess.TimeoutExpired:
        proc.kill()
        report("SIGTERM shuts down gracefully (exit 0)", False, "still running after 20 s")
    try:
        proc = start()
        again = counts()
        report("third start from the final snapshot sees the same data", again == got, "counts differ")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    except Exception as e:  # noqa: BLE001
        report("third start", False, str(e))


main()
failed = results.count(False)
print(f"crash: {len(results) - failed} passed, {failed} failed", flush=True)
sys.exit(1 if failed else 0)
