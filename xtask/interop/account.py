"""Tencent's SDK and tccli against an emulator that plays a real account.

The emulator (started by `cargo xtask interop`) has the domains
www.example.com, *.img.example.com (global) and old.example.com (offline),
denies PushUrlsCache and answers DescribePushQuota with an injected
InternalError.CdnConfigError. Its certificate also names
emulator.interop.test (--tls-san), which this process resolves to 127.0.0.1:
no check connects anywhere else. `checks(origin, ca, home, row)` adds one
row per check.
"""

import json
import os
import socket
import subprocess
import sys

from tencentcloud.cdn.v20180606 import cdn_client, models
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "emulator.interop.test"

_getaddrinfo = socket.getaddrinfo


def _loopback_for_name(host, *args, **kwargs):
    """The resolver hook: NAME is 127.0.0.1, every other name as usual."""
    if host == NAME:
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_for_name


def client(host, ca, sign_method="TC3-HMAC-SHA256", http_method="POST", language=None):
    http = HttpProfile(endpoint=host, reqMethod=http_method, reqTimeout=10)
    http.scheme = "https"
    http.certification = ca
    profile = ClientProfile(signMethod=sign_method, httpProfile=http)
    if language:
        profile.language = language
    cred = credential.Credential(
        os.environ["TENCENTCLOUD_SECRET_ID"], os.environ["TENCENTCLOUD_SECRET_KEY"]
    )
    return cdn_client.CdnClient(cred, "", profile)


def refused(call, code, language):
    """Whether `call` raises `code` with a message in `language`."""
    try:
        call()
        return False, "accepted"
    except TencentCloudSDKException as error:
        message = error.get_message() or ""
        chinese = any(ord(c) > 0x2E80 for c in message)
        ok = error.get_code() == code and bool(error.get_request_id())
        ok = ok and (chinese if language == "zh-CN" else message.isascii())
        return ok, "%s: %s" % (error.get_code(), message[:60])


def purge(urls):
    req = models.PurgeUrlsCacheRequest()
    req.Urls = urls
    return req


def sdk_checks(host, ca, row):
    for sign_method, http_method in [("TC3-HMAC-SHA256", "POST"), ("HmacSHA256", "GET")]:
        for language in ["zh-CN", "en-US"]:
            c = client(host, ca, sign_method, http_method, language)
            where = "%s %s" % (sign_method, language)

            def add(check, result):
                row("account", where, http_method, check, result[0], result[1])

            add("foreign host", refused(
                lambda: c.PurgeUrlsCache(purge(["https://www.example.com/a.js", "https://other.example.org/b.js"])),
                "ResourceNotFound.CdnHostNotExists", language))
            add("wildcard host", refused(
                lambda: c.PurgeUrlsCache(purge(["https://*.img.example.com/a.png"])),
                "InvalidParameter.CdnPurgeWildcardNotAllowed", language))
            add("offline domain", refused(
                lambda: c.PurgeUrlsCache(purge(["https://old.example.com/a.js"])),
                "InvalidParameter.CdnHostInvalidStatus", language))
            push = models.PushUrlsCacheRequest()
            push.Urls = ["https://www.example.com/a.mp4"]
            add("denied action", refused(
                lambda: c.PushUrlsCache(push), "UnauthorizedOperation.CdnCamUnauthorized", language))
            add("injected code", refused(
                lambda: c.DescribePushQuota(models.DescribePushQuotaRequest()),
                "InternalError.CdnConfigError", language))

        try:
            task = c.PurgeUrlsCache(purge(["https://cdn.img.example.com/a.js"])).TaskId
            row("account", sign_method, http_method, "wildcard subdomain", bool(task), "TaskId %s" % task)
        except TencentCloudSDKException as error:
            row("account", sign_method, http_method, "wildcard subdomain", False, str(error))

        req = models.DescribeDomainsRequest()
        req.Offset = 1
        req.Limit = 1
        try:
            page = c.DescribeDomains(req)
            req = models.DescribeDomainsRequest()
            fuzzy = models.DomainFilter()
            fuzzy.Name = "domain"
            fuzzy.Value = ["img.example"]
            fuzzy.Fuzzy = True
            req.Filters = [fuzzy]
            found = c.DescribeDomains(req)
            d = found.Domains[0]
            ok = (
                page.TotalNumber == 3
                and [x.Domain for x in page.Domains] == ["*.img.example.com"]
                and found.TotalNumber == 1
                and (d.Domain, d.Status, d.Area) == ("*.img.example.com", "online", "global")
                and d.Origin.Origins == ["origin.img.example.com"]
            )
            detail = "TotalNumber %s, %s %s %s" % (page.TotalNumber, d.Domain, d.Status, d.Area)
        except TencentCloudSDKException as error:
            ok, detail = False, str(error)
        row("account", sign_method, http_method, "DescribeDomains", ok, detail)


def tccli_checks(host, ca, home, row):
    env = dict(os.environ, HOME=home)
    env.pop("TENCENTCLOUD_TOKEN", None)

    def run(args):
        command = [sys.executable, os.path.join(HERE, "tccli_trusting.py"), ca]
        command += ["cdn"] + args + ["--endpoint", host, "--region", "ap-guangzhou"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout + done.stderr

    filters = json.dumps([{"Name": "status", "Value": ["offline"]}])
    code, out = run(["DescribeDomains", "--Filters", filters])
    ok = False
    try:
        listed = json.loads(out)
        ok = code == 0 and [d["Domain"] for d in listed["Domains"]] == ["old.example.com"]
    except (ValueError, KeyError):
        pass
    row("account", "tccli", "POST", "DescribeDomains", ok, out.strip().replace("\n", " ")[:80])

    foreign = json.dumps(["https://other.example.org/tccli.js"])
    for language in ["zh-CN", "en-US"]:
        code, out = run(["PurgeUrlsCache", "--Urls", foreign, "--language", language])
        shown = "ResourceNotFound.CdnHostNotExists" in out
        words = "未查询到该域名" in out if language == "zh-CN" else "Unable to find the domain name" in out
        row("account", "tccli " + language, "POST", "foreign host", code != 0 and shown and words, out.strip().replace("\n", " ")[-80:])

    code, out = run(["PushUrlsCache", "--Urls", json.dumps(["https://www.example.com/a.mp4"])])
    ok = code != 0 and "UnauthorizedOperation.CdnCamUnauthorized" in out
    row("account", "tccli", "POST", "denied action", ok, out.strip().replace("\n", " ")[-80:])


def checks(origin, ca, home, row):
    port = origin.rsplit(":", 1)[1]
    by_name = "%s:%s" % (NAME, port)
    sdk_checks(by_name, ca, row)
    tccli_checks(origin.split("://", 1)[1], ca, home, row)
