"""Runs tccli trusting one extra CA: `python tccli_trusting.py CA.pem ARGS...`.

The official SDK passes certifi's bundle to requests itself
(`verify=certifi.where()`), so neither REQUESTS_CA_BUNDLE nor SSL_CERT_FILE
reaches it, and tccli has no option for a CA. Pointing `certifi.where` at a
bundle of certifi's roots plus the emulator's CA is the override that works.
"""

import os
import sys
import tempfile

import certifi


def main():
    ca_path = sys.argv[1]
    with open(certifi.where(), "rb") as roots, open(ca_path, "rb") as ca:
        bundle = roots.read() + b"\n" + ca.read()
    handle, path = tempfile.mkstemp(suffix=".pem")
    with os.fdopen(handle, "wb") as out:
        out.write(bundle)
    certifi.where = lambda: path
    sys.argv = ["tccli"] + sys.argv[2:]
    from tccli.main import main as tccli_main

    try:
        return tccli_main()
    finally:
        os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
