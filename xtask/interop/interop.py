"""Drives the tcdn emulator with Tencent's official Python SDK and tccli.

Usage: python interop.py --http ORIGIN --tls ORIGIN --ca CA.pem --home DIR
    --account ORIGIN --account-ca CA.pem
(credentials in TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY).

Every action under every signature (TC3-HMAC-SHA256, HmacSHA1, HmacSHA256)
and method (POST, GET), over HTTP and over TLS; a wrong key and an unknown
SecretId, which the SDK must raise as TencentCloudSDKException with the
server's code; then tccli over TLS; then the legacy API 2.0 SDK against
`/v2/index.php` over both (see legacy.py); then a real account's refusals,
DescribeDomains and both languages, reached by a --tls-san name (see
account.py); then EdgeOne's TeoClient and `tccli teo` (see teo.py). Prints
one table; exits 1 if a row failed.
"""

import argparse
import json
import os
import sys

from tencentcloud.cdn.v20180606 import cdn_client, models
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

import account
import legacy
import tccli_trusting
import teo

SIGN_METHODS = ["TC3-HMAC-SHA256", "HmacSHA1", "HmacSHA256"]
HTTP_METHODS = ["POST", "GET"]
PURGED = ["https://www.example.com/interop/a.js", "https://www.example.com/图片/猫.png?v=1"]

rows = []


def row(transport, signature, method, check, ok, detail):
    rows.append((transport, signature, method, check, "pass" if ok else "FAIL", detail))


def client(origin, ca, sign_method, http_method, secret_id=None, secret_key=None, cls=cdn_client.CdnClient):
    """An SDK client of `cls` (CdnClient, or teo.py's TeoClient) for the emulator at `origin`."""
    scheme, host = origin.split("://", 1)
    http = HttpProfile(endpoint=host, reqMethod=http_method, reqTimeout=10)
    http.scheme = scheme
    if ca:
        http.certification = ca
    profile = ClientProfile(signMethod=sign_method, httpProfile=http)
    cred = credential.Credential(
        secret_id or os.environ["TENCENTCLOUD_SECRET_ID"],
        secret_key or os.environ["TENCENTCLOUD_SECRET_KEY"],
    )
    return cls(cred, "", profile)


def attempt(label, call, check):
    """Runs `call`; `check(result)` returns (ok, detail)."""
    try:
        return check(call())
    except TencentCloudSDKException as error:
        return False, "%s: %s" % (error.get_code(), error.get_message())
    except Exception as error:  # noqa: BLE001 - a broken row, not a crash
        return False, "%s: %s" % (type(error).__name__, error)


def sdk_matrix(transport, origin, ca):
    for sign_method in SIGN_METHODS:
        for http_method in HTTP_METHODS:
            c = client(origin, ca, sign_method, http_method)
            ids = {}

            def record(key, min_logs=None):
                def check(resp):
                    ids[key] = resp.TaskId
                    return bool(resp.TaskId), "TaskId %s" % resp.TaskId

                return check

            req = models.PurgeUrlsCacheRequest()
            req.Urls = PURGED
            req.Area = "mainland"
            ok, detail = attempt("purge", lambda: c.PurgeUrlsCache(req), record("purge"))
            row(transport, sign_method, http_method, "PurgeUrlsCache", ok, detail)

            req = models.PurgePathCacheRequest()
            req.Paths = ["https://www.example.com/interop/"]
            req.FlushType = "flush"
            ok, detail = attempt("paths", lambda: c.PurgePathCache(req), record("paths"))
            row(transport, sign_method, http_method, "PurgePathCache", ok, detail)

            req = models.PushUrlsCacheRequest()
            req.Urls = ["https://www.example.com/interop/big.mp4"]
            req.Area = "global"
            req.ParseM3U8 = True
            header = models.HTTPHeader()
            header.Name = "X-Warm"
            header.Value = "interop"
            req.Headers = [header]
            ok, detail = attempt("push", lambda: c.PushUrlsCache(req), record("push"))
            row(transport, sign_method, http_method, "PushUrlsCache", ok, detail)

            req = models.DescribePurgeTasksRequest()
            req.TaskId = ids.get("purge", "none")

            def purge_logs(resp):
                urls = sorted(log.Url for log in resp.PurgeLogs)
                ok = resp.TotalCount == 2 and urls == sorted(PURGED)
                return ok, "TotalCount %s, %s" % (resp.TotalCount, resp.PurgeLogs[0].Status if resp.PurgeLogs else "-")

            ok, detail = attempt("purge logs", lambda: c.DescribePurgeTasks(req), purge_logs)
            row(transport, sign_method, http_method, "DescribePurgeTasks", ok, detail)

            req = models.DescribePushTasksRequest()
            req.TaskId = ids.get("push", "none")

            def push_logs(resp):
                ok = resp.TotalCount == 1 and resp.PushLogs[0].Area == "global"
                return ok, "TotalCount %s, Area %s" % (
                    resp.TotalCount,
                    resp.PushLogs[0].Area if resp.PushLogs else "-",
                )

            ok, detail = attempt("push logs", lambda: c.DescribePushTasks(req), push_logs)
            row(transport, sign_method, http_method, "DescribePushTasks", ok, detail)

            def purge_quota(resp):
                areas = sorted(q.Area for q in resp.UrlPurge)
                ok = areas == ["mainland", "overseas"] and len(resp.PathPurge) == 2
                left = [q.Available for q in resp.UrlPurge if q.Area == "mainland"]
                return ok, "UrlPurge mainland Available %s" % left

            ok, detail = attempt(
                "purge quota",
                lambda: c.DescribePurgeQuota(models.DescribePurgeQuotaRequest()),
                purge_quota,
            )
            row(transport, sign_method, http_method, "DescribePurgeQuota", ok, detail)

            def push_quota(resp):
                ok = len(resp.UrlPush) == 2
                return ok, "UrlPush %s" % [(q.Area, q.Available) for q in resp.UrlPush]

            ok, detail = attempt(
                "push quota",
                lambda: c.DescribePushQuota(models.DescribePushQuotaRequest()),
                push_quota,
            )
            row(transport, sign_method, http_method, "DescribePushQuota", ok, detail)

            for what, secret_id, secret_key, code in [
                ("wrong key", None, "not-the-secret-key", "AuthFailure.SignatureFailure"),
                ("unknown SecretId", "AKIDnobodyKnowsThisOne", None, "AuthFailure.SecretIdNotFound"),
            ]:
                bad = client(origin, ca, sign_method, http_method, secret_id, secret_key)
                try:
                    bad.DescribePurgeQuota(models.DescribePurgeQuotaRequest())
                    row(transport, sign_method, http_method, what, False, "accepted")
                except TencentCloudSDKException as error:
                    row(
                        transport,
                        sign_method,
                        http_method,
                        what,
                        error.get_code() == code and bool(error.get_request_id()),
                        "TencentCloudSDKException %s" % error.get_code(),
                    )


def tccli(origin, ca, home):
    run = tccli_trusting.runner(origin, ca, home, "cdn")

    code, out, err = run(["PurgeUrlsCache", "--Urls", json.dumps(["https://www.example.com/tccli.js"])])
    task = None
    try:
        task = json.loads(out)["TaskId"]
    except (ValueError, KeyError):
        pass
    row("tls", "tccli", "POST", "PurgeUrlsCache", code == 0 and bool(task), "TaskId %s" % task if task else (err or out).strip()[-200:])

    code, out, err = run(["DescribePurgeTasks", "--TaskId", task or "none"])
    ok = False
    try:
        ok = code == 0 and json.loads(out)["PurgeLogs"][0]["Url"] == "https://www.example.com/tccli.js"
    except (ValueError, KeyError, IndexError):
        pass
    row("tls", "tccli", "POST", "DescribePurgeTasks", ok, (out or err).strip().replace("\n", " ")[:80])

    code, out, err = run(["DescribePushQuota"])
    row("tls", "tccli", "POST", "DescribePushQuota", code == 0 and "UrlPush" in out, (out or err).strip().replace("\n", " ")[:80])

    code, out, err = run(["DescribePurgeQuota"], secret_key="not-the-secret-key")
    text = out + err
    row("tls", "tccli", "POST", "wrong key", code != 0 and "AuthFailure.SignatureFailure" in text, "exit %d, AuthFailure.SignatureFailure %s" % (code, "shown" if "AuthFailure.SignatureFailure" in text else "missing"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", required=True)
    parser.add_argument("--tls", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--home", required=True, help="HOME for tccli (its ~/.tccli)")
    parser.add_argument("--account", required=True, help="the emulator playing a real account (TLS)")
    parser.add_argument("--account-ca", required=True)
    args = parser.parse_args()
    sdk_matrix("http", args.http, None)
    sdk_matrix("tls", args.tls, args.ca)
    tccli(args.tls, args.ca, args.home)
    legacy.checks("http", args.http, None, row)
    legacy.checks("tls", args.tls, args.ca, row)
    account.checks(args.account, args.account_ca, args.home, row)
    teo.checks(args.http, args.tls, args.ca, args.home, row, client, attempt)

    widths = [max(len(str(r[i])) for r in rows + [("transport", "signature", "method", "check", "result", "")]) for i in range(5)]
    header = ("transport", "signature", "method", "check", "result", "detail")
    for r in [header] + rows:
        print("  ".join(str(r[i]).ljust(widths[i]) for i in range(5)) + "  " + str(r[5]))
    failed = [r for r in rows if r[4] != "pass"]
    print("\n%d checks, %d passed, %d failed" % (len(rows), len(rows) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
