# Tencent's official API 3.0 SDK (tencentcloud-sdk-python-common and -cdn) doing what
# a dry run of `PurgeUrlsCache` does: read the file, drop blank lines, comments and
# repeats, build and sign (TC3-HMAC-SHA256) one POST per 1000 URLs with the SDK's own
# request builder, and print each as a JSON line (method, url, headers, body).
# Nothing is sent. `cargo xtask bench` times it as a process against the tcdn binary.
#
# Usage: python tc3_sdk_dry_run.py FILE  (credentials from TENCENTCLOUD_SECRET_ID and
# TENCENTCLOUD_SECRET_KEY). Install: <venv>/bin/pip install tencentcloud-sdk-python-cdn
import json
import os
import sys

from tencentcloud.cdn.v20180606 import cdn_client, models
from tencentcloud.common import credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile

BATCH = 1000


def main(path):
    cred = credential.Credential(os.environ["TENCENTCLOUD_SECRET_ID"],
                                 os.environ["TENCENTCLOUD_SECRET_KEY"])
    profile = ClientProfile()
    profile.disable_region_breaker = True
    client = cdn_client.CdnClient(cred, "", profile)
    with open(path, encoding="utf-8") as lines:
        urls = [line.strip() for line in lines]
    urls = list(dict.fromkeys(u for u in urls if u and not u.startswith("#")))
    host = client._get_endpoint()
    out = sys.stdout
    for start in range(0, len(urls), BATCH):
        request = models.PurgeUrlsCacheRequest()
        request.Urls = urls[start:start + BATCH]
        request.Area = "mainland"
        req = RequestInternal(host, "POST", "/", header={})
        client._build_req_inter("PurgeUrlsCache", request._serialize(), req)
        out.write(json.dumps({"method": req.method, "url": "https://%s/" % host,
                              "headers": req.header, "body": req.data}))
        out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
