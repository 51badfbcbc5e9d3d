//! The texts of the help and the man page: what tcdn does, its examples,
//! environment, files and exit statuses.

pub(super) const ABOUT: &str =
    "Flush (purge) or push (prefetch) Tencent Cloud CDN caches, mainland and overseas.";

pub const LONG_ABOUT: &str = "\
Flush (purge) or push (prefetch) Tencent Cloud CDN caches, mainland and overseas,
with API 3.0 (PurgeUrlsCache, PurgePathCache, PushUrlsCache; the default) or the
legacy API 2.0 action FlushOrPushOverall (--api v2).

  flush   marks cached copies stale, so the next request goes back to the origin.
          Use it after a deploy. With --dir, whole directories are flushed.
  push    fetches URLs into the CDN ahead of users (prefetch). URLs only.
  quota   prints the account's daily purge and push quotas (API 3.0).
  tasks   prints the status of tasks by their TaskId (API 3.0).
  wait    waits until tasks submitted earlier are finished (API 3.0).

EdgeOne: --product edgeone (or TCDN_PRODUCT=edgeone) sends flush (purge_url, or
purge_prefix with --dir, purge_host with --host, purge_cache_tag with --cache-tag,
purge_all with --all --zone ZONE_ID --yes), push (CreatePrefetchTask), quota, tasks and wait to
EdgeOne's API (teo). Each URL goes to the zone whose name is its host or the host's
longest parent domain (DescribeZones), or to --zone ZONE_ID. Areas, --api v2 and the
options EdgeOne lacks are usage errors with it.

Areas: --mainland (mainland China), --oversea (outside it), or both. Under API 3.0
they are optional: a flush without one (or with both) goes to the domain's own
region, a push with both to `global`. API 2.0 needs one. Each area's daily quota
is spent separately.

Credentials, first found wins:
  1. TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_TOKEN or
     TENCENTCLOUD_SECURITY_TOKEN for temporary credentials);
  2. tccli's ~/.tccli/<profile>.credential (profile: --profile, TCCLI_PROFILE, or default);
  3. the SDKs' ~/.tencentcloud/credentials (INI; TENCENTCLOUD_CREDENTIALS_FILE overrides);
  4. TKE OIDC, when TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE and
     TKE_ROLE_ARN are all set (STS AssumeRoleWithWebIdentity);
  5. the CAM role of the CVM instance (its metadata service; not during --dry-run).
--use-cvm-role takes the instance's role only. --role-arn (or TENCENTCLOUD_ROLE_ARN)
assumes a role with STS AssumeRole, signed with what the rest finds. Temporary
credentials are refreshed before they expire. `-v` says where they came from.

Ctrl-C or SIGTERM stops starting requests, waits briefly for those in flight, and
prints the report so far (a second signal exits at once). A daily-quota refusal, or 5
attempts in a row that reach no server, also stops the run; the URLs never sent are
listed as not sent, with the reason.

`tcdn emulator` serves a faithful local stand-in of both APIs, and --endpoint (or
TCDN_ENDPOINT) points tcdn at it.";

/// The examples of each command's help, and of the man page (one list,
/// each a comment line and a command line): what a deploy pipeline does.
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "flush",
        "Flush a deploy's changed paths under the site (an empty list sends nothing)",
        "tcdn flush --base-url https://www.example.com --strip-prefix dist/ \\\n    --allow-empty --from-file changed.txt",
    ),
    (
        "flush",
        "Flush whole directories, everything under them",
        "tcdn flush --dir --flush-type delete https://www.example.com/static/",
    ),
    (
        "push",
        "Push the entry pages and wait until the CDN holds them",
        "tcdn push --wait --wait-timeout 300 \\\n    https://www.example.com/ https://www.example.com/index.html",
    ),
    (
        "quota",
        "What is left of today's quotas, for a script",
        "tcdn quota --output json",
    ),
    (
        "tasks",
        "The status of a task that flush or push reported",
        "tcdn tasks 1533045796-i60rfmzm",
    ),
    (
        "wait",
        "Wait later on tasks a deploy submitted; exit 3 means still running",
        "tcdn wait --wait-timeout 600 1533045796-i60rfmzm",
    ),
    (
        "flush",
        "Purge URLs on EdgeOne, each in its zone, and wait until they are done",
        "tcdn flush --product edgeone --wait \\\n    https://www.example.com/a.css https://img.example.org/b.png",
    ),
    (
        "flush",
        "Print the signed requests, send nothing",
        "tcdn flush --dry-run --output json --base-url https://www.example.com \\\n    index.html",
    ),
    (
        "emulator",
        "A local stand-in of the API for a pipeline's tests",
        "tcdn emulator --listen 127.0.0.1:0 --secret-id AKIDtest > origin.txt &",
    ),
    (
        "completions",
        "Install the bash completions",
        "tcdn completions bash > ~/.local/share/bash-completion/completions/tcdn",
    ),
    (
        "man",
        "Install the man page",
        "tcdn man > ~/.local/share/man/man1/tcdn.1",
    ),
];

/// The environment variables tcdn reads, for the man page's ENVIRONMENT
/// (the options' own are named in their help as `[env: NAME]`).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY",
        "The API key pair; the first credentials tried.",
    ),
    (
        "TENCENTCLOUD_TOKEN, TENCENTCLOUD_SECURITY_TOKEN",
        "The session token of temporary credentials.",
    ),
    (
        "TENCENTCLOUD_CREDENTIALS_FILE",
        "Another path for the SDKs' credentials file.",
    ),
    (
        "TCCLI_PROFILE",
        "The profile of the credential files (--profile).",
    ),
    (
        "TENCENTCLOUD_ROLE_ARN, TENCENTCLOUD_ROLE_SESSION_NAME",
        "A role to assume, and its session's name (--role-arn, --role-session-name).",
    ),
    (
        "TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN",
        "TKE OIDC: all four set, a pod's web identity is exchanged for credentials.",
    ),
    ("TCDN_API", "The API, v3 or v2 (--api)."),
    ("TCDN_PRODUCT", "The product, cdn or edgeone (--product)."),
    ("TCDN_ENDPOINT", "The API endpoint (--endpoint)."),
    (
        "TCDN_LANGUAGE",
        "The language of the API's messages (--language).",
    ),
    (
        "TCDN_METADATA_ENDPOINT, TCDN_STS_ENDPOINT",
        "Other CVM metadata and STS services, such as the emulator's.",
    ),
    (
        "TCDN_THREADS",
        "Threads that check large inputs and sign large dry runs.",
    ),
    (
        "SSL_CERT_FILE",
        "Extra trusted certificates in PEM (--ca-bundle).",
    ),
    (
        "HTTPS_PROXY, NO_PROXY",
        "The proxy of HTTPS requests, and the hosts that bypass it.",
    ),
    ("RUST_LOG", "The log filter, over -v."),
];

/// The files tcdn reads, for the man page's FILES.
pub const FILES: &[(&str, &str)] = &[
    (
        "~/.tccli/<profile>.credential",
        "tccli's credentials (JSON), the second source tried.",
    ),
    (
        "~/.tencentcloud/credentials",
        "The SDKs' credentials (INI), the third source tried.",
    ),
];

/// Where the client commands find credentials, after their help.
const CREDENTIALS_HELP: &str = "\
Credentials: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (with TENCENTCLOUD_TOKEN
for temporary ones), else ~/.tccli/<profile>.credential, ~/.tencentcloud/credentials
(TENCENTCLOUD_CREDENTIALS_FILE), TKE OIDC, or the CVM instance's role; `tcdn --help`
has the whole order.";

/// The examples of `command` (every command's for `tcdn` itself), as a
/// help section.
pub(super) fn examples(command: Option<&str>) -> String {
    let mut text = String::from("Examples:\n");
    for (of, comment, line) in EXAMPLES {
        if command.is_none_or(|c| c == *of) {
            text.push_str(&format!("  # {comment}\n"));
            for part in line.lines() {
                text.push_str(&format!("  {part}\n"));
            }
        }
    }
    text.pop();
    text
}

/// A client command's short help footer: its examples and the credentials.
pub(super) fn client_after_help(command: &str) -> String {
    format!("{}\n\n{CREDENTIALS_HELP}", examples(Some(command)))
}

/// A client command's long help footer: the short one and the exit statuses.
pub(super) fn client_after_long_help(command: &str) -> String {
    format!("{}\n\n{EXIT_STATUS}", client_after_help(command))
}

/// The exit statuses, after the help of `tcdn` and the client commands.
pub const EXIT_STATUS: &str = "\
Exit status:
  0    every URL succeeded (with --wait: is done)
  1    some URLs failed or were not sent; `tcdn tasks`, `tcdn wait`: a task was not found
  2    invalid input or usage (bad URL or option, missing credentials, unusable proxy,
       a quota that cannot hold the submission without --force, a domain list that
       cannot be read or is empty under --check-domains always, an empty input without
       --allow-empty); with --output json, an error document on stdout
  3    --wait or `tcdn wait` reached --wait-timeout with tasks still running, and
       nothing else failed or was not sent (the running URLs are listed as failed,
       with their status `process`, EdgeOne's `processing`)
  130  interrupted by Ctrl-C (SIGINT), after printing the report so far
  141  stdout closed early (`tcdn ... | head`); nothing more is printed
  143  interrupted by SIGTERM, after printing the report so far";
