"""Drives the emulator's EdgeOne actions with Tencent's TeoClient and `tccli teo`.

The emulator runs with the zones of ZONES (`--edgeone-zone`) and the quotas
of QUOTAS (`--edgeone-quota`); interop.rs passes EMULATOR_ARGS, printed by
`python teo.py --emulator-args`. Every one of the six actions under each
signature (TC3-HMAC-SHA256, HmacSHA1, HmacSHA256) and method (POST, GET);
a target outside its zone (`FailedList`); the per-call and daily quotas; a
zone the account lacks; a task's `processing` turning `success`; a wrong key
and a TC3 signature made for the service `cdn` instead of `teo`; then
`tccli teo` over TLS. The emulator allows 20 calls a second per action, as
Tencent documents, so the calls here are paced under it.
"""

import datetime
import json
import sys
import time

from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.teo.v20220901 import models, teo_client

import tccli_trusting

SIGN_METHODS = ["TC3-HMAC-SHA256", "HmacSHA1", "HmacSHA256"]
HTTP_METHODS = ["POST", "GET"]
ZONE = "zone-interop00001"
OTHER_ZONE = "zone-interop00002"
QUOTA_ZONE = "zone-interop00003"
ZONES = [(ZONE, "example.com"), (OTHER_ZONE, "example.org"), (QUOTA_ZONE, "quota.example.net")]
# purge_host: 2 per call; purge_all: 2 a day (one per call).
QUOTAS = ["purge_host=2:10000", "purge_all=1:2"]
EMULATOR_ARGS = [arg for zone in ZONES for arg in ("--edgeone-zone", "%s=%s" % zone)]
EMULATOR_ARGS += [arg for quota in QUOTAS for arg in ("--edgeone-quota", quota)]
PURGED = ["https://www.example.com/teo/a.js", "https://www.example.com/图片/猫.png?v=1"]
FOREIGN = "https://www.example.net/not-in-any-zone.js"
# The emulator's `--task-delay` (1 s by default) and a margin.
TASK_DELAY = 1.5

_last_call = [0.0]


def pace():
    """At most one call each 60 ms: under 20 a second for any action."""
    wait = _last_call[0] + 0.06 - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    _last_call[0] = time.monotonic()


class CdnScopedTeoClient(teo_client.TeoClient):
    """A TeoClient whose TC3 signature names the service `cdn`: wrong for EdgeOne."""

    _service = "cdn"


# interop.py's SDK client builder and its `attempt`, given to `checks`.
_interop = {}


def client(origin, ca, sign_method="TC3-HMAC-SHA256", http_method="POST", secret_key=None, cls=teo_client.TeoClient):
    return _interop["client"](origin, ca, sign_method, http_method, secret_key=secret_key, cls=cls)


def attempt(call, check):
    """Runs `call`, paced; `check(result)` returns (ok, detail)."""
    pace()
    return _interop["attempt"](None, call, check)


def refused(call, code):
    """Runs `call`, which must raise the SDK's exception with `code`."""
    pace()
    try:
        call()
        return False, "accepted"
    except TencentCloudSDKException as error:
        ok = error.get_code() == code and bool(error.get_request_id())
        return ok, "%s: %s" % (error.get_code(), error.get_message()[:60])


def purge_request(zone, purge_type, targets=None, method=None, domains=None):
    req = models.CreatePurgeTaskRequest()
    req.ZoneId = zone
    req.Type = purge_type
    req.Targets = targets
    req.Method = method
    if domains:
        tag = models.CacheTag()
        tag.Domains = domains
        req.CacheTag = tag
    return req


def job_filter(job_id):
    f = models.AdvancedFilter()
    f.Name = "job-id"
    f.Values = [job_id]
    return [f]


def rfc3339(seconds_from_now):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def created(jobs, key, failed=0):
    def check(resp):
        jobs[key] = resp.JobId
        count = sum(len(f.Targets) for f in resp.FailedList or [])
        return bool(resp.JobId) and count == failed, "JobId %s, %d failed" % (resp.JobId, count)

    return check


def matrix(transport, origin, ca, row, sign_methods, http_methods):
    for sign_method in sign_methods:
        for http_method in http_methods:
            c = client(origin, ca, sign_method, http_method)

            def check(name, call, verify):
                row(transport, "teo " + sign_method, http_method, name, *attempt(call, verify))

            def zones(resp):
                names = sorted(z.ZoneName for z in resp.Zones)
                return resp.TotalCount == 3 and names == sorted(n for _, n in ZONES), "%s" % names

            check("DescribeZones", lambda: c.DescribeZones(models.DescribeZonesRequest()), zones)
            req = models.DescribeZonesRequest()
            name_filter = models.AdvancedFilter()
            name_filter.Name = "zone-name"
            name_filter.Values = ["example.org"]
            req.Filters = [name_filter]

            def one_zone(resp):
                ids = [z.ZoneId for z in resp.Zones]
                return ids == [OTHER_ZONE], "%s" % ids

            check("DescribeZones zone-name", lambda: c.DescribeZones(req), one_zone)

            jobs = {}
            for key, req, failed in [
                ("url", purge_request(ZONE, "purge_url", PURGED), 0),
                ("prefix", purge_request(ZONE, "purge_prefix", ["https://www.example.com/teo/"], "delete"), 0),
                ("host", purge_request(ZONE, "purge_host", ["www.example.com", "img.example.com"]), 0),
                ("tag", purge_request(ZONE, "purge_cache_tag", ["interop-tag"], domains=["www.example.com"]), 0),
                ("foreign", purge_request(ZONE, "purge_url", [PURGED[0], FOREIGN]), 1),
            ]:
                check("CreatePurgeTask " + key, lambda: c.CreatePurgeTask(req), created(jobs, key, failed))

            req = models.CreatePrefetchTaskRequest()
            req.ZoneId = ZONE
            req.Targets = ["https://www.example.com/teo/big.m3u8"]
            header = models.Header()
            header.Name = "X-Warm"
            header.Value = "interop"
            req.Headers = [header]
            req.PrefetchMediaSegments = "on"
            check("CreatePrefetchTask", lambda: c.CreatePrefetchTask(req), created(jobs, "prefetch"))

            req = models.DescribePurgeTasksRequest()
            req.ZoneId = ZONE
            req.Filters = job_filter(jobs.get("url", "none"))

            def url_tasks(resp):
                targets = sorted(t.Target for t in resp.Tasks)
                ok = resp.TotalCount == 2 and targets == sorted(PURGED)
                ok = ok and all(t.Type == "purge_url" and t.Status == "processing" for t in resp.Tasks)
                return ok, "TotalCount %s, %s" % (resp.TotalCount, resp.Tasks[0].Status if resp.Tasks else "-")

            check("DescribePurgeTasks job-id", lambda: c.DescribePurgeTasks(req), url_tasks)

            req = models.DescribePurgeTasksRequest()
            req.ZoneId = ZONE
            req.StartTime = rfc3339(-3600)
            req.EndTime = rfc3339(3600)
            req.Limit = 1000
            type_filter = models.AdvancedFilter()
            type_filter.Name = "type"
            type_filter.Values = ["purge_prefix"]
            req.Filters = [type_filter]

            def prefix_tasks(resp):
                mine = [t for t in resp.Tasks if t.JobId == jobs.get("prefix")]
                ok = len(mine) == 1 and mine[0].Method == "delete"
                ok = ok and all(t.Type == "purge_prefix" for t in resp.Tasks)
                return ok, "TotalCount %s, Method %s" % (resp.TotalCount, mine[0].Method if mine else "-")

            check("DescribePurgeTasks window", lambda: c.DescribePurgeTasks(req), prefix_tasks)

            req = models.DescribePrefetchTasksRequest()
            req.ZoneId = ZONE
            req.Filters = job_filter(jobs.get("prefetch", "none"))

            def prefetch_tasks(resp):
                ok = resp.TotalCount == 1 and resp.Tasks[0].Type == "prefetch_url"
                return ok, "TotalCount %s" % resp.TotalCount

            check("DescribePrefetchTasks", lambda: c.DescribePrefetchTasks(req), prefetch_tasks)

            req = models.DescribeContentQuotaRequest()
            req.ZoneId = ZONE

            def quota(resp):
                purge = {q.Type: q for q in resp.PurgeQuota}
                prefetch = [q.Type for q in resp.PrefetchQuota]
                ok = "purge_url" in purge and purge["purge_host"].Batch == 2 and prefetch == ["prefetch_url"]
                left = purge["purge_url"].DailyAvailable if "purge_url" in purge else "-"
                return ok, "purge_url DailyAvailable %s" % left

            check("DescribeContentQuota", lambda: c.DescribeContentQuota(req), quota)

            bad = client(origin, ca, sign_method, http_method, secret_key="not-the-secret-key")
            req = models.DescribeZonesRequest()
            row(transport, "teo " + sign_method, http_method, "wrong key",
                *refused(lambda: bad.DescribeZones(req), "AuthFailure.SignatureFailure"))


def limits(transport, origin, ca, row):
    """Quotas, a missing zone, a wrong service, a task's status over time."""
    c = client(origin, ca)

    def check(name, result):
        row(transport, "teo TC3-HMAC-SHA256", "POST", name, *result)

    hosts = ["a.example.com", "b.example.com", "c.example.com"]
    check("BatchQuota", refused(lambda: c.CreatePurgeTask(purge_request(ZONE, "purge_host", hosts)), "LimitExceeded.BatchQuota"))
    jobs = {}
    for n in range(2):
        check("purge_all %d of 2" % (n + 1), attempt(lambda: c.CreatePurgeTask(purge_request(QUOTA_ZONE, "purge_all")), created(jobs, "all")))
    check("DailyQuota", refused(lambda: c.CreatePurgeTask(purge_request(QUOTA_ZONE, "purge_all")), "LimitExceeded.DailyQuota"))
    req = models.DescribeContentQuotaRequest()
    req.ZoneId = QUOTA_ZONE

    def spent(resp):
        row_all = [q for q in resp.PurgeQuota if q.Type == "purge_all"]
        ok = len(row_all) == 1 and row_all[0].Daily == 2 and row_all[0].DailyAvailable == 0
        return ok, "purge_all %s" % ["%s/%s" % (q.DailyAvailable, q.Daily) for q in row_all]

    check("quota spent", attempt(lambda: c.DescribeContentQuota(req), spent))
    check("a target of no zone", refused(lambda: c.CreatePurgeTask(purge_request(ZONE, "purge_url", [FOREIGN])), "InvalidParameter.DomainNotFound"))
    check("unknown zone", refused(lambda: c.CreatePurgeTask(purge_request("zone-nosuchzone", "purge_url", PURGED)), "ResourceNotFound.ZoneNotFound"))
    wrong = client(origin, ca, cls=CdnScopedTeoClient)
    check("service cdn", refused(lambda: wrong.DescribeZones(models.DescribeZonesRequest()), "AuthFailure.SignatureFailure"))

    jobs = {}
    check("CreatePurgeTask to wait on", attempt(lambda: c.CreatePurgeTask(purge_request(ZONE, "purge_url", ["https://www.example.com/teo/wait.js"])), created(jobs, "wait")))
    time.sleep(TASK_DELAY)
    req = models.DescribePurgeTasksRequest()
    req.ZoneId = ZONE
    req.Filters = job_filter(jobs.get("wait", "none"))

    def succeeded(resp):
        status = resp.Tasks[0].Status if resp.Tasks else "-"
        return status == "success", "Status %s after %.1f s" % (status, TASK_DELAY)

    check("processing → success", attempt(lambda: c.DescribePurgeTasks(req), succeeded))


def tccli(origin, ca, home, row):
    # tccli's option for a service's API version is `--version`.
    tccli_run = tccli_trusting.runner(origin, ca, home, "teo", ["--version", "2022-09-01"])

    def run(args, secret_key=None):
        pace()
        code, out, err = tccli_run(args, secret_key)
        answer = None
        try:
            answer = json.loads(out)
        except ValueError:
            pass
        return code, answer, (out + err).strip().replace("\n", " ")

    def check(name, ok, detail):
        row("tls", "tccli teo", "POST", name, ok, detail[:80])

    code, answer, text = run(["DescribeZones"])
    check("DescribeZones", code == 0 and answer is not None and answer.get("TotalCount") == 3, text)

    jobs = {}
    for action, args in [
        ("CreatePurgeTask", ["--ZoneId", ZONE, "--Type", "purge_url", "--Targets", json.dumps(["https://www.example.com/tccli.js"])]),
        ("CreatePrefetchTask", ["--ZoneId", ZONE, "--Targets", json.dumps(["https://www.example.com/tccli.mp4"])]),
    ]:
        code, answer, text = run([action] + args)
        jobs[action] = (answer or {}).get("JobId")
        check(action, code == 0 and bool(jobs[action]), "JobId %s" % jobs[action] if jobs[action] else text)

    for action, job in [("DescribePurgeTasks", jobs["CreatePurgeTask"]), ("DescribePrefetchTasks", jobs["CreatePrefetchTask"])]:
        filters = json.dumps([{"Name": "job-id", "Values": [job or "none"]}])
        code, answer, text = run([action, "--ZoneId", ZONE, "--Filters", filters])
        tasks = (answer or {}).get("Tasks") or []
        check(action, code == 0 and len(tasks) == 1 and tasks[0].get("JobId") == job, text)

    code, answer, text = run(["DescribeContentQuota", "--ZoneId", ZONE])
    check("DescribeContentQuota", code == 0 and bool((answer or {}).get("PurgeQuota")), text)

    code, answer, text = run(["CreatePurgeTask", "--ZoneId", ZONE, "--Type", "purge_url", "--Targets", json.dumps([FOREIGN])])
    check("a target of no zone", code != 0 and "InvalidParameter.DomainNotFound" in text, "exit %d, %s" % (code, text))

    code, answer, text = run(["DescribeZones"], secret_key="not-the-secret-key")
    check("wrong key", code != 0 and "AuthFailure.SignatureFailure" in text, "exit %d, %s" % (code, text))


def checks(http_origin, tls_origin, ca, home, row, client_of, attempt_call):
    """Every EdgeOne row; `row`, `client_of` (an SDK client builder) and
    `attempt_call` are interop.py's."""
    _interop.update(client=client_of, attempt=attempt_call)
    matrix("http", http_origin, None, row, SIGN_METHODS, HTTP_METHODS)
    matrix("tls", tls_origin, ca, row, ["TC3-HMAC-SHA256"], ["POST"])
    limits("http", http_origin, None, row)
    tccli(tls_origin, ca, home, row)


if __name__ == "__main__":
    if sys.argv[1:] == ["--emulator-args"]:
        print("\n".join(EMULATOR_ARGS))
    else:
        sys.exit("usage: python teo.py --emulator-args (interop.py runs the checks)")
