# The legacy API 2.0 SDK (qcloudapi-sdk-python) doing what `tcdn flush --mainland
# --dry-run --output json --from-file FILE` does: read the file, drop blank lines,
# comments and repeats, build and sign one FlushOrPushOverall POST per 1000 URLs with
# the SDK's own request builder, and print each as a JSON line (method, url, body).
# Nothing is sent. `cargo xtask bench` times it as a process against the tcdn binary.
#
# Usage: python legacy_v2_dry_run.py FILE  (credentials from TENCENTCLOUD_SECRET_ID
# and TENCENTCLOUD_SECRET_KEY). Install: <venv>/bin/pip install qcloudapi-sdk-python
import json
import os
import sys

from QcloudApi.common.request import RequestInternal
from QcloudApi.qcloudapi import QcloudApi

BATCH = 1000


def main(path):
    config = {
        "secretId": os.environ["TENCENTCLOUD_SECRET_ID"],
        "secretKey": os.environ["TENCENTCLOUD_SECRET_KEY"],
        "method": "POST",
    }
    module = QcloudApi("cdn", config)._factory("cdn", config)
    with open(path, encoding="utf-8") as lines:
        urls = [line.strip() for line in lines]
    urls = list(dict.fromkeys(u for u in urls if u and not u.startswith("#")))
    out = sys.stdout
    for start in range(0, len(urls), BATCH):
        params = {"command": "flush", "type": "url", "mainland": 1,
                  "urls": urls[start:start + BATCH]}
        req = RequestInternal(module.requestHost, module.method, module.requestUri)
        module._build_req_inter("FlushOrPushOverall", params, req)
        url = "https://%s%s" % (req.host, req.uri)
        out.write(json.dumps({"method": req.method, "url": url, "body": req.data}))
        out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
