"""Runs tccli trusting one extra CA: `python tccli_trusting.py CA.pem ARGS...`;
`runner` gives the interop scripts a function that runs it against the emulator.

The official SDK passes certifi's bundle to requests itself
(`verify=certifi.where()`), so neither REQUESTS_CA_BUNDLE nor SSL_CERT_FILE
reaches it, and tccli has no option for a CA. Pointing `certifi.where` at a
bundle of certifi's roots plus the emulator's CA is the override that works.
"""

import os
import subprocess
import sys
import tempfile

import certifi


def runner(origin, ca, home, service, extra=()):
    """A function running `tccli SERVICE ARGS... EXTRA...` against the emulator
    at `origin` (TLS, trusting `ca`), with `home` as HOME (its ~/.tccli) and the
    key of the environment or `secret_key`; it returns (exit code, stdout, stderr)."""
    host = origin.split("://", 1)[1]
    env = dict(os.environ, HOME=home)
    env.pop("TENCENTCLOUD_TOKEN", None)

    def run(args, secret_key=None):
        run_env = dict(env)
        if secret_key:
            run_env["TENCENTCLOUD_SECRET_KEY"] = secret_key
        command = [sys.executable, os.path.abspath(__file__), ca, service] + args
        command += ["--endpoint", host, "--region", "ap-guangzhou"] + list(extra)
        done = subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout, done.stderr

    return run


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
