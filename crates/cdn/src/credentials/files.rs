//! The credential files: tccli's JSON `~/.tccli/<profile>.credential` and
//! the SDKs' INI `~/.tencentcloud/credentials`, parsed without I/O, and
//! read with errors that name the file.

use std::collections::HashSet;
use std::io::{self, Read};
use std::path::Path;

use zeroize::Zeroize;

use super::{CredentialError, CredentialErrorKind, Credentials};

pub(super) fn check_profile_name(profile: &str) -> Result<(), CredentialError> {
    let ok = !profile.is_empty()
        && !profile.starts_with('.')
        && profile
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(CredentialError::new(
            CredentialErrorKind::InvalidProfile,
            format!(
                "profile name {profile:?} is not allowed: use letters, digits, '-', '_', '.' \
                 or '@', not starting with '.'"
            ),
        ))
    }
}

/// The largest credential file (or web identity token file) read: real ones
/// hold a few hundred bytes to a few KB, so anything larger is a mistake
/// (a wrong path, a log file) and is refused before it is read whole.
pub const MAX_CREDENTIAL_FILE_LEN: u64 = 64 * 1024;

/// The text of the credential file at `path`; `None` when it does not
/// exist.
pub(super) fn read_if_exists(path: &Path) -> Result<Option<String>, CredentialError> {
    read_bounded(path, "credential file")
}

/// The text of `what` at `path`, at most [`MAX_CREDENTIAL_FILE_LEN`] bytes
/// of UTF-8; `None` when it does not exist. The size is checked before
/// reading, and the read is bounded too (a FIFO or a file under `/proc`
/// has no size to check). What was read is wiped when it is refused.
pub(super) fn read_bounded(path: &Path, what: &str) -> Result<Option<String>, CredentialError> {
    let unreadable = |err: io::Error| {
        CredentialError::new(
            CredentialErrorKind::Unreadable,
            format!("cannot read {what} {}: {err}", path.display()),
        )
    };
    let too_large = || {
        CredentialError::new(
            CredentialErrorKind::TooLarge,
            format!(
                "{what} {} is larger than {} KB: it cannot be a credential file; check the path",
                path.display(),
                MAX_CREDENTIAL_FILE_LEN / 1024
            ),
        )
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(unreadable(err)),
    };
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.is_file() && metadata.len() > MAX_CREDENTIAL_FILE_LEN {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    if let Err(err) = file
        .take(MAX_CREDENTIAL_FILE_LEN + 1)
        .read_to_end(&mut bytes)
    {
        bytes.zeroize();
        return Err(unreadable(err));
    }
    if bytes.len() as u64 > MAX_CREDENTIAL_FILE_LEN {
        bytes.zeroize();
        return Err(too_large());
    }
    String::from_utf8(bytes).map(Some).map_err(|err| {
        err.into_bytes().zeroize();
        CredentialError::new(
            CredentialErrorKind::Malformed,
            format!("{what} {} is not valid UTF-8", path.display()),
        )
    })
}

/// Parses the text of a tccli credential file (`~/.tccli/<profile>.credential`):
/// a JSON object with string fields `secretId`, `secretKey` and optional
/// `token`. Other fields (`role-arn`, `type`, ...) are ignored, except that
/// a file without keys whose `type` is not `default` (a CVM role, SSO or
/// OAuth profile) is reported as unsupported.
///
/// Pure and panic-free; errors name the field or the JSON line and column,
/// never a value.
///
/// ```
/// let credentials = tcdn::credentials::parse_tccli_credential(
///     r#"{"secretId": "AKIDexample", "secretKey": "key", "token": ""}"#,
/// )?;
/// assert_eq!(credentials.secret_id(), "AKIDexample");
/// assert!(credentials.token().is_none());
/// assert!(tcdn::credentials::parse_tccli_credential("{\n\"secretId\": }").unwrap_err().to_string().contains("line 2"));
/// # Ok::<(), tcdn::credentials::CredentialError>(())
/// ```
///
/// # Errors
/// [`Malformed`](CredentialErrorKind::Malformed) for invalid JSON or a
/// non-object; [`MissingField`](CredentialErrorKind::MissingField) for a
/// missing or non-string key field;
/// [`UnsupportedType`](CredentialErrorKind::UnsupportedType);
/// [`Invalid`](CredentialErrorKind::Invalid) for empty keys.
pub fn parse_tccli_credential(text: &str) -> Result<Credentials, CredentialError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        // serde_json's syntax errors name a position, never the input.
        CredentialError::new(
            CredentialErrorKind::Malformed,
            format!(
                "not valid JSON at line {} column {}",
                err.line(),
                err.column()
            ),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(CredentialError::new(
            CredentialErrorKind::Malformed,
            "expected a JSON object".to_owned(),
        ));
    };
    let field = |name: &str| -> Result<Option<&str>, CredentialError> {
        match object.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(text)) => Ok(Some(text.as_str())),
            Some(_) => Err(CredentialError::new(
                CredentialErrorKind::MissingField,
                format!("field {name:?} must be a string"),
            )),
        }
    };
    let id = field("secretId")?;
    let key = field("secretKey")?;
    let token = field("token")?;
    let (id, key) = match (id, key) {
        (Some(id), Some(key)) => (id, key),
        (id, _) => {
            if let Some(kind) = field("type")?.filter(|kind| *kind != "default") {
                return Err(CredentialError::new(
                    CredentialErrorKind::UnsupportedType,
                    format!(
                        "credential type {kind:?} holds no secretId/secretKey, and tcdn can only \
                         use keys"
                    ),
                ));
            }
            let missing = if id.is_none() {
                "secretId"
            } else {
                "secretKey"
            };
            return Err(CredentialError::new(
                CredentialErrorKind::MissingField,
                format!("field {missing:?} is missing"),
            ));
        }
    };
    let credentials = Credentials::new(id, key)?;
    Ok(match token {
        Some(token) => credentials.with_token(token),
        None => credentials,
    })
}

/// Parses the text of the SDKs' INI credential file
/// (`~/.tencentcloud/credentials`) and returns the credentials of section
/// `[profile]`, or `None` when the file has no such section.
///
/// Syntax: `[section]` headers; `key = value` (or `key: value`) lines;
/// blank lines and lines starting with `#` or `;` are skipped; names and
/// values are trimmed, values are taken verbatim (no quote removal). Keys
/// read: `secret_id`, `secret_key`, optional `token`; other keys are
/// ignored. A repeated section or a repeated key within a section is an
/// error, as in Python's `configparser`.
///
/// Pure and panic-free; errors name the line number (and the key or
/// section), never the content of a line, which may be a secret.
///
/// ```
/// let text = "[default]\nsecret_id = AKIDa\nsecret_key = ka\n\n[prod]\nsecret_id=AKIDb\nsecret_key=kb\n";
/// let prod = tcdn::credentials::parse_ini_credentials(text, "prod")?.expect("section present");
/// assert_eq!(prod.secret_id(), "AKIDb");
/// assert!(tcdn::credentials::parse_ini_credentials(text, "staging")?.is_none());
/// let err = tcdn::credentials::parse_ini_credentials("secret_id = x\n", "default").unwrap_err();
/// assert!(err.to_string().contains("line 1"), "{err}");
/// # Ok::<(), tcdn::credentials::CredentialError>(())
/// ```
///
/// # Errors
/// [`Malformed`](CredentialErrorKind::Malformed) for a line that is none of
/// the above, a key outside a section, or a repeat;
/// [`MissingField`](CredentialErrorKind::MissingField) when the section
/// lacks `secret_id` or `secret_key`; [`Invalid`](CredentialErrorKind::Invalid)
/// for empty values.
pub fn parse_ini_credentials(
    text: &str,
    profile: &str,
) -> Result<Option<Credentials>, CredentialError> {
    let malformed = |line: usize, what: String| {
        CredentialError::new(
            CredentialErrorKind::Malformed,
            format!("line {line}: {what}"),
        )
    };
    let mut sections = HashSet::new();
    let mut current: Option<&str> = None;
    let mut keys_in_section: HashSet<&str> = HashSet::new();
    let mut found_section = false;
    let (mut id, mut key, mut token) = (None, None, None);
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(malformed(
                    number,
                    "a section header must end with ']'".to_owned(),
                ));
            };
            let name = name.trim();
            if !sections.insert(name) {
                return Err(malformed(number, format!("section [{name}] appears twice")));
            }
            current = Some(name);
            keys_in_section.clear();
            found_section |= name == profile;
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            return Err(malformed(
                number,
                "expected `key = value`, a `[section]` header or a comment".to_owned(),
            ));
        };
        let name = line[..split].trim();
        let value = line[split + 1..].trim();
        let Some(section) = current else {
            return Err(malformed(
                number,
                format!("key {name:?} appears before any [section] header"),
            ));
        };
        if name.is_empty() {
            return Err(malformed(number, "a key name is empty".to_owned()));
        }
        if !keys_in_section.insert(name) {
            return Err(malformed(
                number,
                format!("key {name:?} appears twice in section [{section}]"),
            ));
        }
        if section == profile {
            match name {
                "secret_id" => id = Some(value),
                "secret_key" => key = Some(value),
                "token" => token = Some(value),
                _ => {}
            }
        }
    }
    if !found_section {
        return Ok(None);
    }
    let (Some(id), Some(key)) = (id, key) else {
        let missing = if id.is_none() {
            "secret_id"
        } else {
            "secret_key"
        };
        return Err(CredentialError::new(
            CredentialErrorKind::MissingField,
            format!("section [{profile}] has no {missing}"),
        ));
    };
    let credentials = Credentials::new(id, key).map_err(|err| {
        CredentialError::new(err.kind, format!("section [{profile}]: {}", err.message))
    })?;
    Ok(Some(match token {
        Some(token) => credentials.with_token(token),
        None => credentials,
    }))
}
