#!/usr/bin/env python3
"""The official Python client (influxdb-client) against a running `edgeflux serve`.

usage: test_python.py URL
Onboards the server (it must be fresh), then exercises buckets, writes (batched, gzip,
precision), query / query_csv / query_stream with params, tasks (a manual run that
downsamples with to()), delete, and a restricted token.
Prints one `PASS name` / `FAIL name: why` line per check; exit status 1 if any failed.
Writes the operator token to $EDGEFLUX_TOKEN_FILE (if set) for the later steps.
"""
import datetime as dt
import os
import sys
import time
import traceback

from influxdb_client import (
    BucketRetentionRules,
    InfluxDBClient,
    Permission,
    PermissionResource,
    Point,
    WritePrecision,
)
from influxdb_client.client.exceptions import InfluxDBError
from influxdb_client.client.write_api import SYNCHRONOUS, WriteOptions
from influxdb_client.domain.onboarding_request import OnboardingRequest
from influxdb_client.rest import ApiException
from influxdb_client.service.setup_service import SetupService

URL = sys.argv[1]
ORG, BUCKET, USER, PASSWORD = "py-org", "py-bucket", "py-admin", "py-password-1"
results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append(True)
            print(f"PASS python: {name}", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
            results.append(False)
            detail = "".join(traceback.format_exception_only(type(e), e)).strip()
            print(f"FAIL python: {name}: {detail}", flush=True)
        return fn

    return wrap


def expect_status(fn, status):
    try:
        fn()
    except (ApiException, InfluxDBError) as e:
        got = getattr(e, "status", None) or getattr(getattr(e, "response", None), "status", None)
        assert got == status, f"expected HTTP {status}, got {got}: {e}"
        return e
    raise AssertionError(f"expected HTTP {status}, the call succeeded")


state = {}


@check("health, ping, ready, version headers")
def _():
    with InfluxDBClient(url=URL) as c:
        assert c.ping() is True
        assert c.version().startswith("v2."), c.version()
        assert c.build() == "OSS", c.build()
        assert c.ready().status == "ready"
        assert c.health().status == "pass"


@check("onboarding")
def _():
    with InfluxDBClient(url=URL) as c:
        setup = SetupService(c.api_client)
        assert setup.get_setup().allowed is True
        r = setup.post_setup(
            onboarding_request=OnboardingRequest(
                username=USER, password=PASSWORD, org=ORG, bucket=BUCKET, retention_period_seconds=0
            )
        )
        state["token"] = r.auth.token
        state["org_id"] = r.org.id
        state["bucket_id"] = r.bucket.id
        assert r.user.name == USER and r.org.name == ORG and r.bucket.name == BUCKET
        assert setup.get_setup().allowed is False
        again = expect_status(
            lambda: setup.post_setup(onboarding_request=OnboardingRequest(username="x", org="y", bucket="z")),
            422,
        )
        assert "already" in str(again.body)
    path = os.environ.get("EDGEFLUX_TOKEN_FILE")
    if path:
        with open(path, "w") as f:
            f.write(f"{state['token']}\n{state['org_id']}\n")


def client(**kw):
    return InfluxDBClient(url=URL, token=state["token"], org=ORG, **kw)


@check("buckets: create, find, update, delete")
def _():
    with client() as c:
        api = c.buckets_api()
        b = api.create_bucket(
            bucket_name="py-temp",
            org_id=state["org_id"],
            retention_rules=BucketRetentionRules(type="expire", every_seconds=7200),
        )
        assert b.retention_rules[0].every_seconds == 7200
        assert api.find_bucket_by_name("py-temp").id == b.id
        assert api.find_bucket_by_id(b.id).name == "py-temp"
        names = [x.name for x in api.find_buckets().buckets]
        assert BUCKET in names and "py-temp" in names, names
        b.description = "changed"
        assert api.update_bucket(b).description == "changed"
        expect_status(lambda: api.create_bucket(bucket_name="py-temp", org_id=state["org_id"]), 422)
        api.delete_bucket(b)
        assert api.find_bucket_by_name("py-temp") is None


@check("orgs and users")
def _():
    with client() as c:
        orgs = c.organizations_api().find_organizations()
        assert [o.name for o in orgs] == [ORG], [o.name for o in orgs]
        me = c.users_api().me()
        assert me.name == USER


NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@check("synchronous writes with Point and precision=s")
def _():
    with client() as c:
        w = c.write_api(write_options=SYNCHRONOUS)
        for i in range(5):
            p = (
                Point("temperature")
                .tag("room", "kitchen")
                .field("value", 20.0 + i)
                .time(NOW - dt.timedelta(minutes=5 - i), WritePrecision.S)
            )
            w.write(bucket=BUCKET, record=p, write_precision=WritePrecision.S)
        w.write(bucket=BUCKET, record=f"temperature,room=hall value=18.5 {int(NOW.timestamp())}", write_precision=WritePrecision.S)


@check("batched writes (1000 per batch) and gzip")
def _():
    base = int((NOW - dt.timedelta(minutes=30)).timestamp() * 1e9)
    lines = [f"cpu,host=h{i % 10} usage={i % 100}.5,idle={i}i {base + i * 1_000_000}" for i in range(5000)]
    with client(enable_gzip=True) as c:
        with c.write_api(write_options=WriteOptions(batch_size=1000, flush_interval=1000)) as w:
            w.write(bucket=BUCKET, record=lines)
    with client() as c:
        tables = c.query_api().query(
            f'from(bucket: "{BUCKET}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "cpu" and r._field == "idle") |> count()'
        )
        total = sum(r.get_value() for t in tables for r in t.records)
        assert total == 5000, total


@check("query tables and records")
def _():
    with client() as c:
        tables = c.query_api().query(
            f'from(bucket: "{BUCKET}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "temperature")'
        )
        assert len(tables) == 2, len(tables)
        rooms = sorted(t.records[0].values["room"] for t in tables)
        assert rooms == ["hall", "kitchen"], rooms
        kitchen = [t for t in tables if t.records[0].values["room"] == "kitchen"][0]
        values = [r.get_value() for r in kitchen.records]
        assert values == [20.0, 21.0, 22.0, 23.0, 24.0], values
        assert kitchen.records[0].get_time().tzinfo is not None


@check("query_csv and query_stream with params (extern)")
def _():
    with client(enable_gzip=True) as c:
        q = c.query_api()
        rows = list(
            q.query_csv(
                f'from(bucket: "{BUCKET}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "temperature" and r.room == "hall")'
            )
        )
        header = [r for r in rows if r and r[0] == "" and "_value" in r]
        assert header, rows[:5]
        assert any("18.5" in r for r in rows), rows
        recs = list(
            q.query_stream(
                'from(bucket: b) |> range(start: start) |> filter(fn: (r) => r._measurement == m) |> last()',
                params={"b": BUCKET, "m": "temperature", "start": NOW - dt.timedelta(hours=1)},
            )
        )
        assert len(recs) == 2, recs


@check("aggregateWindow, yield name, pivot-free mean")
def _():
    with client() as c:
        tables = c.query_api().query(
            f'from(bucket: "{BUCKET}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "temperature" and r.room == "kitchen")'
            ' |> aggregateWindow(every: 1h, fn: mean, createEmpty: false) |> yield(name: "avg")'
        )
        vals = [r.get_value() for t in tables for r in t.records]
        assert vals and all(18 <= v <= 24 for v in vals), vals
        assert tables[0].records[0].values["result"] == "avg"


@check("tasks: create_task_every, list, manual run, runs and logs, to() downsampling")
def _():
    with client() as c:
        buckets = c.buckets_api()
        down = buckets.create_bucket(bucket_name="py-down", org_id=state["org_id"])
        tasks = c.tasks_api()
        org = c.organizations_api().find_organizations(org=ORG)[0]
        flux = (
            f'from(bucket: "{BUCKET}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "temperature" and r.room == "kitchen")'
            ' |> aggregateWindow(every: 1h, fn: mean, createEmpty: false) |> to(bucket: "py-down")'
        )
        t = tasks.create_task_every("py-downsample", flux, "1h", org)
        assert (t.name, t.every, t.status, t.org_id) == ("py-downsample", "1h", "active", state["org_id"]), t
        assert [x.id for x in tasks.find_tasks(name="py-downsample")] == [t.id]
        run = tasks.run_manually(t.id)
        assert run.status == "scheduled", run
        deadline = time.time() + 20
        while True:
            runs = tasks.get_runs(t.id)
            if runs and runs[0].status != "scheduled":
                break
            assert time.time() < deadline, "the run did not happen within 20 s"
            time.sleep(0.2)
        assert [r.status for r in runs] == ["success"], [(r.status, r.log) for r in runs]
        messages = [e.message for e in tasks.get_logs(t.id)]
        assert messages[-1] == "Completed(success)", messages
        assert tasks.find_task_by_id(t.id).last_run_status == "success"
        tables = c.query_api().query('from(bucket: "py-down") |> range(start: -2h)')
        values = [r.get_value() for tb in tables for r in tb.records]
        assert values and all(20 <= v <= 24 for v in values), values
        assert {r.values["room"] for tb in tables for r in tb.records} == {"kitchen"}
        tasks.delete_task(t.id)
        expect_status(lambda: tasks.find_task_by_id(t.id), 404)
        buckets.delete_bucket(down)


@check("query errors: unknown bucket 404, bad Flux 400")
def _():
    with client() as c:
        e = expect_status(lambda: c.query_api().query('from(bucket: "nope") |> range(start: -1h)'), 404)
        assert "could not find bucket" in str(e.message or e), e
        expect_status(lambda: c.query_api().query("from(bucket: "), 400)


@check("delete with predicate")
def _():
    with client() as c:
        c.delete_api().delete(
            NOW - dt.timedelta(hours=2), NOW + dt.timedelta(hours=1), '_measurement="temperature" AND room="hall"', bucket=BUCKET, org=ORG
        )
        tables = c.query_api().query(
            f'from(bucket: "{BUCKET}") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "temperature")'
        )
        rooms = sorted({r.values["room"] for t in tables for r in t.records})
        assert rooms == ["kitchen"], rooms


@check("restricted tokens are refused")
def _():
    with client() as c:
        auths = c.authorizations_api()
        res = PermissionResource(org_id=state["org_id"], type="buckets", id=state["bucket_id"])
        wo = auths.create_authorization(org_id=state["org_id"], permissions=[Permission(action="write", resource=res)])
        ro = auths.create_authorization(org_id=state["org_id"], permissions=[Permission(action="read", resource=res)])
    with InfluxDBClient(url=URL, token=ro.token, org=ORG) as c:
        expect_status(lambda: c.write_api(write_options=SYNCHRONOUS).write(BUCKET, record="x v=1"), 403)
        assert c.query_api().query(f'from(bucket: "{BUCKET}") |> range(start: -1h) |> limit(n: 1)')
    with InfluxDBClient(url=URL, token=wo.token, org=ORG) as c:
        c.write_api(write_options=SYNCHRONOUS).write(BUCKET, record="x v=1")
        expect_status(lambda: c.query_api().query(f'from(bucket: "{BUCKET}") |> range(start: -1h)'), 404)
    with InfluxDBClient(url=URL, token="not-a-token", org=ORG) as c:
        expect_status(lambda: c.buckets_api().find_buckets(), 401)


@check("malformed line protocol is 400 and writes nothing")
def _():
    with client() as c:
        e = expect_status(lambda: c.write_api(write_options=SYNCHRONOUS).write(BUCKET, record="ok v=1\nbroken"), 400)
        assert "unable to parse" in str(e.message or e), e
        tables = c.query_api().query(f'from(bucket: "{BUCKET}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "ok")')
        assert len(tables) == 0


failed = results.count(False)
print(f"python: {len(results) - failed} passed, {failed} failed", flush=True)
sys.exit(1 if failed else 0)
