"""Drives the emulator's API 2.0 endpoint with Tencent's legacy SDK.

`qcloudapi-sdk-python` (module `QcloudApi`) sends `FlushOrPushOverall` the
way integrations written for API 2.0 do. Its `Cdn` module is pinned to
`cdn.api.qcloud.com` over HTTPS and signs that host; `ApiRequest` holds the
connection. The adapter here replaces only that connection, with one to
`127.0.0.1:PORT` (the SDK's own `MyHTTPSConnection` for TLS, the same
bookkeeping over `http.client.HTTPConnection` for plain HTTP), so every
parameter and signature is the SDK's own; the emulator verifies it against
the public host as the real server would (and against the `Host` received). The SDK has no CA option: its
`HTTPSConnection` takes Python's default context, which reads OpenSSL's
`SSL_CERT_FILE`, so that variable names the emulator's CA.

One row also goes through the SDK's `endpoint` option (honoured for modules
it does not know), which signs the host it connects to.
"""

import http.client
import json
import os
import random
import ssl
import sys
import time
import urllib.request

from QcloudApi.common.api_exception import ApiExceptionBase
from QcloudApi.common.request import ApiRequest
from QcloudApi.modules.base import Base
from QcloudApi.modules.cdn import Cdn
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sts.v20180813 import models as sts_models
from tencentcloud.sts.v20180813 import sts_client

SIGN_METHODS = ["HmacSHA1", "HmacSHA256"]
HTTP_METHODS = ["GET", "POST"]
# Query strings, `+`, `%` and non-ASCII: the SDK's urlencode and the
# signature's raw values must agree with the emulator's decoding. (A raw
# space is refused by tcdn's URL rules, the emulator's too: write `%20`.)
FLUSHED = [
    "https://www.example.com/legacy/a.js?x=1&y=a+b",
    "https://www.example.com/图片/my%20file.png",
]
DIRS = ["https://www.example.com/legacy/", "https://www.example.com/静态/"]
PUSHED = ["https://www.example.com/legacy/big.mp4"]


class PlainConnection(http.client.HTTPConnection):
    """`MyHTTPSConnection`'s bookkeeping over plain HTTP (the SDK reads
    `request_length` after each request)."""

    def __init__(self, host):
        http.client.HTTPConnection.__init__(self, host)
        self.request_length = 0

    def send(self, data):
        http.client.HTTPConnection.send(self, data)
        self.request_length += len(data)

    def request(self, method, url, body=None, headers={}):  # noqa: B006 - the SDK's signature
        self.request_length = 0
        http.client.HTTPConnection.request(self, method, url, body, headers)


def connect_to(service, origin):
    """Points `service`'s connection at `origin`; the signed host stays."""
    scheme, address = origin.split("://", 1)
    service.apiRequest = ApiRequest(address, req_timeout=10)
    if scheme == "http":
        service.apiRequest.conn = PlainConnection(address)
    return service


def config(sign_method, http_method, secret_id=None, secret_key=None, token=None):
    cfg = {
        "secretId": secret_id or os.environ["TENCENTCLOUD_SECRET_ID"],
        "secretKey": secret_key or os.environ["TENCENTCLOUD_SECRET_KEY"],
        "method": http_method,
        "SignatureMethod": sign_method,
    }
    if token:
        cfg["Token"] = token
    return cfg


def params(command, url_type, urls, **extra):
    p = {"command": command, "type": url_type, "urls": urls, "mainland": 1}
    p.update(extra)
    return p


def call(service, p):
    """The decoded envelope, or raises with the SDK's own exception text."""
    return json.loads(service.call("FlushOrPushOverall", p))


def describe(envelope):
    return "code %s, codeDesc %s, %s" % (
        envelope.get("code"),
        envelope.get("codeDesc"),
        (envelope.get("message") or "").replace("\n", " ")[:90],
    )


class Emulator:
    """The emulator's own view: what it accepted, to compare with what was sent."""

    def __init__(self, origin, ca):
        self.origin = origin
        self.context = ssl.create_default_context(cafile=ca) if ca else None

    def last_task(self):
        with urllib.request.urlopen(self.origin + "/_emulator/tasks", timeout=10, context=self.context) as answer:
            tasks = json.load(answer)
        return tasks[-1] if tasks else None

    def assume_role(self):
        """Temporary credentials from the emulator's STS, through the official SDK."""
        scheme, host = self.origin.split("://", 1)
        http_profile = HttpProfile(endpoint=host, reqTimeout=10)
        http_profile.scheme = scheme
        if self.context:
            http_profile.certification = os.environ["SSL_CERT_FILE"]
        cred = credential.Credential(os.environ["TENCENTCLOUD_SECRET_ID"], os.environ["TENCENTCLOUD_SECRET_KEY"])
        client = sts_client.StsClient(cred, "ap-guangzhou", ClientProfile(httpProfile=http_profile))
        req = sts_models.AssumeRoleRequest()
        req.RoleArn = "qcs::cam::uin/100000000001:roleName/interop"
        req.RoleSessionName = "legacy-sdk"
        return client.AssumeRole(req).Credentials


def attempt(run):
    """(ok, detail) from `run()`, a failing row instead of a crash."""
    try:
        return run()
    except ApiExceptionBase as error:
        return False, str(error).replace("\n", " ")[:120]
    except Exception as error:  # noqa: BLE001 - a broken row, not a crash
        return False, "%s: %s" % (type(error).__name__, error)


def accepted(service, emulator, p, expected):
    """Runs `p`; ok when the envelope is code 0 and the emulator recorded
    exactly `expected` (command, type, areas, URLs)."""

    def run():
        envelope = call(service, p)
        if envelope.get("code") != 0:
            return False, describe(envelope)
        task = emulator.last_task() or {}
        got = (task.get("api"), task.get("command"), task.get("type"), task.get("areas"), task.get("urls"))
        if got != expected:
            return False, "recorded %s" % (got,)
        return True, "code 0, %s %s of %d URL(s) recorded as sent" % (p["command"], p["type"], len(p["urls"]))

    return attempt(run)


def refused(service, p, code, module=None, code_desc=None):
    """Runs `p`; ok when the envelope carries `code` (and the module code
    leading the message, or `code_desc`)."""

    def run():
        envelope = call(service, p)
        ok = envelope.get("code") == code
        if module is not None:
            ok = ok and (envelope.get("message") or "").startswith("(%d)" % module)
            ok = ok and str(envelope.get("codeDesc")) == str(module)
        if code_desc is not None:
            ok = ok and envelope.get("codeDesc") == code_desc
        return ok, describe(envelope)

    return attempt(run)


def checks(transport, origin, ca, row):
    """Every legacy-SDK row for one emulator; `row` is interop.py's."""
    emulator = Emulator(origin, ca)
    previous_ca = os.environ.get("SSL_CERT_FILE")
    if ca:
        os.environ["SSL_CERT_FILE"] = ca
    try:
        _checks(transport, origin, emulator, row)
    finally:
        if ca:
            if previous_ca is None:
                del os.environ["SSL_CERT_FILE"]
            else:
                os.environ["SSL_CERT_FILE"] = previous_ca


def _checks(transport, origin, emulator, row):
    for sign_method in SIGN_METHODS:
        for http_method in HTTP_METHODS:
            sdk = connect_to(Cdn(config(sign_method, http_method)), origin)

            def v2row(check, result):
                row(transport, "v2 " + sign_method, http_method, check, *result)

            v2row(
                "FlushOrPushOverall flush url",
                accepted(sdk, emulator, params("flush", "url", FLUSHED), ("v2", "flush", "url", ["mainland"], FLUSHED)),
            )
            v2row(
                "FlushOrPushOverall flush dir",
                accepted(
                    sdk,
                    emulator,
                    params("flush", "dir", DIRS, oversea=1),
                    ("v2", "flush", "dir", ["mainland", "oversea"], DIRS),
                ),
            )
            v2row(
                "FlushOrPushOverall push url",
                accepted(sdk, emulator, params("push", "url", PUSHED), ("v2", "push", "url", ["mainland"], PUSHED)),
            )

    def v2row(check, result, sign_method="HmacSHA256", http_method="POST"):
        row(transport, "v2 " + sign_method, http_method, check, *result)

    # The SDK's `endpoint` option: an unknown module name, the emulator as
    # the host it signs and connects to; unmodified over TLS.
    cfg = config("HmacSHA256", "POST")
    cfg["endpoint"] = origin.split("://", 1)[1]
    service = Base(cfg)  # what QcloudApi's factory builds for a module it does not know
    if origin.startswith("http://"):
        connect_to(service, origin)
    v2row(
        "endpoint option (signs 127.0.0.1)",
        accepted(service, emulator, params("flush", "url", FLUSHED), ("v2", "flush", "url", ["mainland"], FLUSHED)),
    )

    # Temporary credentials: the SDK signs `Token` like any parameter.
    try:
        creds = emulator.assume_role()
    except Exception as error:  # noqa: BLE001 - a broken row, not a crash
        creds = None
        v2row("Token (STS credentials)", (False, "AssumeRole: %s" % error))
    if creds:
        temp = connect_to(
            Cdn(config("HmacSHA256", "POST", creds.TmpSecretId, creds.TmpSecretKey, creds.Token)), origin
        )
        v2row(
            "Token (STS credentials)",
            accepted(temp, emulator, params("flush", "url", FLUSHED), ("v2", "flush", "url", ["mainland"], FLUSHED)),
        )
        wrong = connect_to(
            Cdn(config("HmacSHA1", "GET", creds.TmpSecretId, creds.TmpSecretKey, "not-the-token")), origin
        )
        v2row(
            "wrong Token",
            refused(wrong, params("flush", "url", FLUSHED), 4100, code_desc="AuthFailure.TokenFailure"),
            "HmacSHA1",
            "GET",
        )

    for sign_method, http_method, what, secret_id, secret_key in [
        ("HmacSHA1", "POST", "wrong key", None, "not-the-secret-key"),
        ("HmacSHA256", "GET", "unknown SecretId", "AKIDnobodyKnowsThisOne", None),
    ]:
        bad = connect_to(Cdn(config(sign_method, http_method, secret_id, secret_key)), origin)
        v2row(what, refused(bad, params("flush", "url", FLUSHED), 4100), sign_method, http_method)

    sdk = connect_to(Cdn(config("HmacSHA256", "POST")), origin)
    stale = params("flush", "url", FLUSHED, Timestamp=int(time.time()) - 3 * 3600)
    v2row("Timestamp 3 h old", refused(sdk, stale, 4500))

    nonce = random.randint(1, sys.maxsize)
    first = accepted(
        sdk, emulator, params("flush", "url", FLUSHED, Nonce=nonce), ("v2", "flush", "url", ["mainland"], FLUSHED)
    )
    if first[0]:
        v2row("Nonce reused", refused(sdk, params("flush", "url", FLUSHED, Nonce=nonce), 4500))
    else:
        v2row("Nonce reused", (False, "the first use was refused: %s" % first[1]))

    dirs = ["https://www.example.com/d%d/" % i for i in range(21)]
    v2row("21 dirs in one flush", refused(sdk, params("flush", "dir", dirs), 4000, module=22045))
    pushes = ["https://www.example.com/p%d.js" % i for i in range(21)]
    v2row("21 URLs in one push", refused(sdk, params("push", "url", pushes), 4000, module=23100))
    v2row("push of a dir", refused(sdk, params("push", "dir", DIRS), 4000))
