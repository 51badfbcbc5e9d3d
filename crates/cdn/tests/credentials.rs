//! The credential chain with an injected environment and a temporary home:
//! precedence, profiles, file formats, malformed files and empty variables.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::path::Path;

use proptest::prelude::*;
use tcdn::{
    CredentialChain, credentials::CredentialErrorKind, credentials::CredentialSource,
    credentials::parse_ini_credentials, credentials::parse_tccli_credential,
};

fn chain(env: &[(&str, &str)], home: &Path) -> CredentialChain {
    let env: HashMap<String, OsString> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
        .collect();
    CredentialChain::new(move |name| env.get(name).cloned(), Some(home.to_path_buf()))
}

fn write(home: &Path, relative: &str, text: &str) {
    let path = home.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const ENV_KEYS: [(&str, &str); 2] = [
    ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
    ("TENCENTCLOUD_SECRET_KEY", "env-key"),
];

fn with_both_files(home: &Path) {
    write(
        home,
        ".tccli/default.credential",
        r#"{"secretId": "AKIDtccli", "secretKey": "tccli-key", "token": "tccli-token"}"#,
    );
    write(
        home,
        ".tccli/prod.credential",
        r#"{"secretId": "AKIDprod", "secretKey": "prod-key"}"#,
    );
    write(
        home,
        ".tencentcloud/credentials",
        "[default]\nsecret_id = AKIDini\nsecret_key = ini-key\n\n[staging]\nsecret_id=AKIDstaging\nsecret_key=staging-key\ntoken=staging-token\n",
    );
}

#[test]
fn environment_wins_over_files() {
    let home = tempfile::tempdir().unwrap();
    with_both_files(home.path());
    let (credentials, source) = chain(&ENV_KEYS, home.path()).resolve_with_source().unwrap();
    assert_eq!(credentials.secret_id(), "AKIDenv");
    assert!(credentials.token().is_none());
    assert_eq!(source, CredentialSource::Environment);
}

#[test]
fn token_variables_in_order() {
    let home = tempfile::tempdir().unwrap();
    let mut env = ENV_KEYS.to_vec();
    env.push(("TENCENTCLOUD_SECURITY_TOKEN", "terraform-token"));
    assert!(
        chain(&env, home.path())
            .resolve()
            .unwrap()
            .token()
            .is_some()
    );
    env.push(("TENCENTCLOUD_TOKEN", "tccli-token"));
    let credentials = chain(&env, home.path()).resolve().unwrap();
    assert!(credentials.token().is_some());
}

#[test]
fn tccli_file_then_ini_file() {
    let home = tempfile::tempdir().unwrap();
    with_both_files(home.path());
    let (credentials, source) = chain(&[], home.path()).resolve_with_source().unwrap();
    assert_eq!(credentials.secret_id(), "AKIDtccli");
    assert!(credentials.token().is_some());
    assert!(
        matches!(source, CredentialSource::TccliFile { ref profile, .. } if profile == "default")
    );

    fs::remove_file(home.path().join(".tccli/default.credential")).unwrap();
    let (credentials, source) = chain(&[], home.path()).resolve_with_source().unwrap();
    assert_eq!(credentials.secret_id(), "AKIDini");
    assert!(matches!(source, CredentialSource::IniFile { .. }));
}

#[test]
fn profiles_from_the_argument_or_tccli_profile() {
    let home = tempfile::tempdir().unwrap();
    with_both_files(home.path());
    // An explicit profile skips the environment, as tccli does.
    let explicit = chain(&ENV_KEYS, home.path())
        .profile("prod")
        .resolve()
        .unwrap();
    assert_eq!(explicit.secret_id(), "AKIDprod");
    let from_env = chain(&[("TCCLI_PROFILE", "staging")], home.path())
        .resolve()
        .unwrap();
    assert_eq!(from_env.secret_id(), "AKIDstaging");
    assert!(from_env.token().is_some());
}

#[test]
fn credentials_file_variable_replaces_the_ini_path() {
    let home = tempfile::tempdir().unwrap();
    let other = home.path().join("elsewhere.ini");
    fs::write(
        &other,
        "[default]\nsecret_id = AKIDother\nsecret_key = other\n",
    )
    .unwrap();
    let env = [("TENCENTCLOUD_CREDENTIALS_FILE", other.to_str().unwrap())];
    let (credentials, source) = chain(&env, home.path()).resolve_with_source().unwrap();
    assert_eq!(credentials.secret_id(), "AKIDother");
    assert_eq!(
        source,
        CredentialSource::IniFile {
            path: other,
            profile: "default".into()
        }
    );
}

#[test]
fn nothing_found_names_every_place() {
    let home = tempfile::tempdir().unwrap();
    let err = chain(&[], home.path()).resolve().unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::NotFound);
    let message = err.to_string();
    for place in [
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
        ".tccli/default.credential",
        ".tencentcloud/credentials",
    ] {
        assert!(message.contains(place), "{message}");
    }
    // An INI file without the profile's section is named as such.
    write(
        home.path(),
        ".tencentcloud/credentials",
        "[other]\nsecret_id=a\nsecret_key=b\n",
    );
    let err = chain(&[], home.path())
        .profile("prod")
        .resolve()
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("for profile \"prod\"") && message.contains("[prod]"),
        "{message}"
    );
    assert!(!message.contains("TENCENTCLOUD_SECRET_ID"), "{message}");
}

#[test]
fn empty_and_half_set_variables_are_errors_naming_them() {
    let home = tempfile::tempdir().unwrap();
    with_both_files(home.path());
    for (env, kind, named) in [
        (
            vec![
                ("TENCENTCLOUD_SECRET_ID", ""),
                ("TENCENTCLOUD_SECRET_KEY", "k"),
            ],
            CredentialErrorKind::EmptyVariable,
            "TENCENTCLOUD_SECRET_ID",
        ),
        (
            vec![
                ("TENCENTCLOUD_SECRET_ID", "AKID"),
                ("TENCENTCLOUD_SECRET_KEY", "k"),
                ("TENCENTCLOUD_TOKEN", ""),
            ],
            CredentialErrorKind::EmptyVariable,
            "TENCENTCLOUD_TOKEN",
        ),
        (
            vec![("TENCENTCLOUD_SECRET_KEY", "k")],
            CredentialErrorKind::IncompleteEnvironment,
            "TENCENTCLOUD_SECRET_ID",
        ),
        (
            vec![("TCCLI_PROFILE", "")],
            CredentialErrorKind::EmptyVariable,
            "TCCLI_PROFILE",
        ),
        (
            vec![("TCCLI_PROFILE", "../../etc/passwd")],
            CredentialErrorKind::InvalidProfile,
            "../../etc/passwd",
        ),
    ] {
        let err = chain(&env, home.path()).resolve().unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
        assert!(err.to_string().contains(named), "{err}");
    }
}

#[test]
fn malformed_files_name_the_file_and_line_but_no_secret() {
    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".tccli/default.credential",
        "{\n  \"secretId\": \"AKID\",\n  \"secretKey\": hunter2\n}",
    );
    let err = chain(&[], home.path()).resolve().unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::Malformed);
    let message = err.to_string();
    assert!(
        message.contains("default.credential") && message.contains("line 3"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");

    let home = tempfile::tempdir().unwrap();
    write(
        home.path(),
        ".tencentcloud/credentials",
        "[default]\nsecret_id = AKID\nsecret_key hunter2\n",
    );
    let err = chain(&[], home.path()).resolve().unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::Malformed);
    let message = err.to_string();
    assert!(
        message.contains(".tencentcloud/credentials") && message.contains("line 3"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn oversized_credential_files_are_refused_naming_the_file() {
    let limit = tcdn::credentials::MAX_CREDENTIAL_FILE_LEN as usize;
    // Just at the limit: read (a long comment, then a valid section).
    let home = tempfile::tempdir().unwrap();
    let section = "\n[default]\nsecret_id = AKIDini\nsecret_key = ini-key\n";
    let comment = format!("#{}", "x".repeat(limit - section.len() - 1));
    write(
        home.path(),
        ".tencentcloud/credentials",
        &format!("{comment}{section}"),
    );
    assert_eq!(
        chain(&[], home.path()).resolve().unwrap().secret_id(),
        "AKIDini"
    );

    // One byte over, in either file: refused with the path and the limit,
    // nothing of the content.
    for relative in [".tencentcloud/credentials", ".tccli/default.credential"] {
        let home = tempfile::tempdir().unwrap();
        write(
            home.path(),
            relative,
            &format!("#{}hunter2{section}", "x".repeat(limit)),
        );
        let err = chain(&[], home.path()).resolve().unwrap_err();
        assert_eq!(err.kind(), CredentialErrorKind::TooLarge, "{err}");
        let message = err.to_string();
        assert!(
            message.contains(relative) && message.contains("64 KB"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[cfg(unix)]
#[test]
fn a_credential_file_without_a_size_is_read_bounded() {
    // A FIFO has no size to check first: the read itself stops at the limit.
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("fifo-credentials");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut fifo = fs::OpenOptions::new().write(true).open(path).unwrap();
            let chunk = vec![b'#'; 8192];
            // Stops with a broken pipe once the reader has had enough.
            for _ in 0..64 {
                if fifo.write_all(&chunk).is_err() {
                    break;
                }
            }
        })
    };
    let file = path.to_str().unwrap().to_owned();
    let err = chain(&[("TENCENTCLOUD_CREDENTIALS_FILE", &file)], home.path())
        .resolve()
        .unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::TooLarge, "{err}");
    assert!(err.to_string().contains(&file), "{err}");
    writer.join().unwrap();
}

#[tokio::test]
async fn an_oversized_web_identity_token_file_is_refused_before_sts() {
    let home = tempfile::tempdir().unwrap();
    let limit = tcdn::credentials::MAX_CREDENTIAL_FILE_LEN as usize;
    write(home.path(), "tke/token", &"t".repeat(limit + 1));
    let token_file = home.path().join("tke/token");
    let token_file = token_file.to_str().unwrap();
    let err = chain(
        &[
            ("TKE_REGION", "ap-guangzhou"),
            ("TKE_PROVIDER_ID", "oidc-provider"),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", token_file),
            (
                "TKE_ROLE_ARN",
                "qcs::cam::uin/100000000001:roleName/deployer",
            ),
            // Nothing listens there: the file is refused before any request.
            ("TCDN_STS_ENDPOINT", "http://127.0.0.1:9"),
        ],
        home.path(),
    )
    .load()
    .await
    .unwrap_err();
    assert_eq!(err.kind(), CredentialErrorKind::TooLarge, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("TKE OIDC") && message.contains(token_file),
        "{message}"
    );
}

#[test]
fn session_tokens_compare_by_value() {
    use tcdn::credentials::SessionToken;
    assert_eq!(SessionToken::new("token-a"), SessionToken::new("token-a"));
    assert_ne!(SessionToken::new("token-a"), SessionToken::new("token-b"));
    assert_ne!(SessionToken::new("token"), SessionToken::new("token-a"));
    assert_ne!(SessionToken::new(""), SessionToken::new("a"));
    let base = || tcdn::Credentials::new("AKIDtmp", "key").unwrap();
    assert!(base().with_token("t1").same_as(&base().with_token("t1")));
    assert!(!base().with_token("t1").same_as(&base().with_token("t2")));
    assert!(!base().with_token("t1").same_as(&base()));
}

#[test]
fn tccli_parser_rules() {
    let ok = parse_tccli_credential(
        r#"{"secretId":"AKID","secretKey":"k","type":"default","region":"ap-guangzhou"}"#,
    )
    .unwrap();
    assert_eq!(ok.secret_id(), "AKID");
    for (text, kind) in [
        ("[]", CredentialErrorKind::Malformed),
        (r#"{"secretId":"AKID"}"#, CredentialErrorKind::MissingField),
        (
            r#"{"secretId":"AKID","secretKey":7}"#,
            CredentialErrorKind::MissingField,
        ),
        (
            r#"{"type":"cvm-role","role-arn":"x"}"#,
            CredentialErrorKind::UnsupportedType,
        ),
        (
            r#"{"secretId":"","secretKey":"k"}"#,
            CredentialErrorKind::Invalid,
        ),
        (
            r#"{"secretId":"AKID","secretKey":""}"#,
            CredentialErrorKind::Invalid,
        ),
    ] {
        assert_eq!(
            parse_tccli_credential(text).unwrap_err().kind(),
            kind,
            "{text}"
        );
    }
}

#[test]
fn ini_parser_rules() {
    let text = "; comment\n# another\n[default]\n  secret_id : AKID  \nsecret_key=k=with=equals\nregion = x\n";
    let credentials = parse_ini_credentials(text, "default").unwrap().unwrap();
    assert_eq!(credentials.secret_id(), "AKID");
    for (text, needle) in [
        ("secret_id = a\n", "line 1"),
        ("[default\n", "line 1"),
        ("[a]\n[a]\n", "line 2"),
        ("[default]\nsecret_id=a\nsecret_id=b\n", "line 3"),
        ("[default]\n=x\n", "line 2"),
        ("[default]\nsecret_id=a\n", "no secret_key"),
    ] {
        let err = parse_ini_credentials(text, "default").unwrap_err();
        assert!(err.to_string().contains(needle), "{text:?}: {err}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Neither parser panics on any input, and errors never quote it.
    #[test]
    fn parsers_never_panic(text in "\\PC{0,200}", profile in "[a-z]{1,8}") {
        let _ = parse_tccli_credential(&text);
        let _ = parse_ini_credentials(&text, &profile);
    }

    #[test]
    fn ini_parser_never_panics_on_ini_like_input(
        lines in proptest::collection::vec("(\\[[a-z]{0,4}\\]?|[a-z_]{0,10} ?[=:]? ?[a-zA-Z0-9=]{0,10}|[#;].{0,5}|)", 0..12),
    ) {
        let text = lines.join("\n");
        let _ = parse_ini_credentials(&text, "default");
    }
}
