//! Credentials and where they come from: the environment, tccli's JSON
//! profile files, and the SDKs' INI file.
//!
//! [`CredentialChain`] resolves them with an injected environment and home
//! directory; [`parse_tccli_credential`] and [`parse_ini_credentials`] are
//! the pure file parsers (no I/O, never panic).

use std::collections::HashSet;
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tcdn_sign::SecretKey;
use zeroize::Zeroize;

/// `TENCENTCLOUD_SECRET_ID`.
pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
/// `TENCENTCLOUD_SECRET_KEY`.
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// `TENCENTCLOUD_TOKEN`, the session token as tccli names it.
pub const ENV_TOKEN: &str = "TENCENTCLOUD_TOKEN";
/// `TENCENTCLOUD_SECURITY_TOKEN`, the session token as Terraform names it.
pub const ENV_SECURITY_TOKEN: &str = "TENCENTCLOUD_SECURITY_TOKEN";
/// `TCCLI_PROFILE`, the profile used when none is given explicitly.
pub const ENV_PROFILE: &str = "TCCLI_PROFILE";
/// `TENCENTCLOUD_CREDENTIALS_FILE`, which replaces `~/.tencentcloud/credentials`.
pub const ENV_CREDENTIALS_FILE: &str = "TENCENTCLOUD_CREDENTIALS_FILE";
/// The profile used when neither an explicit one nor `TCCLI_PROFILE` is given.
pub const DEFAULT_PROFILE: &str = "default";

/// A session token of temporary credentials, sent as the `Token` parameter.
///
/// Wiped on drop; `Debug` prints `SessionToken(<redacted>)`; no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps the token's text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text, for building the request only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for SessionToken {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A `SecretId`, a `SecretKey` and, for temporary credentials, a session
/// token.
///
/// The secret id is not secret (it is sent in every request) and is shown
/// by `Debug`; the key and the token are redacted. There is no `Display`.
///
/// ```
/// use tcdn::Credentials;
///
/// let credentials = Credentials::new("AKIDexample", "secret-key")?.with_token("session");
/// assert_eq!(credentials.secret_id(), "AKIDexample");
/// let shown = format!("{credentials:?}");
/// assert!(!shown.contains("secret-key") && !shown.contains("session\""), "{shown}");
/// # Ok::<(), tcdn::credentials::CredentialError>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: SecretKey,
    token: Option<SessionToken>,
}

impl Credentials {
    /// Credentials from a secret id and key.
    ///
    /// # Errors
    /// [`CredentialErrorKind::Invalid`] when either is empty or the id holds
    /// whitespace or control characters (the key is never quoted).
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, CredentialError> {
        let secret_id = secret_id.into();
        let mut secret_key = secret_key.into();
        if secret_id.is_empty() {
            secret_key.zeroize();
            return Err(CredentialError::new(
                CredentialErrorKind::Invalid,
                "the SecretId is empty".to_owned(),
            ));
        }
        if secret_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            secret_key.zeroize();
            return Err(CredentialError::new(
                CredentialErrorKind::Invalid,
                format!("the SecretId {secret_id:?} contains whitespace or control characters"),
            ));
        }
        if secret_key.is_empty() {
            return Err(CredentialError::new(
                CredentialErrorKind::Invalid,
                format!("the SecretKey for SecretId {secret_id} is empty"),
            ));
        }
        Ok(Self {
            secret_id,
            secret_key: SecretKey::new(secret_key),
            token: None,
        })
    }

    /// Adds a session token (temporary credentials); an empty token means
    /// none.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.token = (!token.is_empty()).then(|| SessionToken::new(token));
        self
    }

    /// The `SecretId`.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The `SecretKey` (opaque: only the signer reads it).
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret_key
    }

    /// The session token, if any.
    pub fn token(&self) -> Option<&SessionToken> {
        self.token.as_ref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key)
            .field("token", &self.token)
            .finish()
    }
}

/// Where resolved credentials were found.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// The `TENCENTCLOUD_*` environment variables.
    Environment,
    /// tccli's `~/.tccli/<profile>.credential` JSON file.
    TccliFile {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
    /// The SDKs' INI file (`~/.tencentcloud/credentials` or
    /// `$TENCENTCLOUD_CREDENTIALS_FILE`).
    IniFile {
        /// The file.
        path: PathBuf,
        /// The section read.
        profile: String,
    },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Environment => write!(f, "environment ({ENV_SECRET_ID}, {ENV_SECRET_KEY})"),
            Self::TccliFile { path, profile } => {
                write!(f, "{} (tccli profile {profile})", path.display())
            }
            Self::IniFile { path, profile } => {
                write!(f, "{} (section [{profile}])", path.display())
            }
        }
    }
}

/// What kind of credential problem occurred.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialErrorKind {
    /// Nothing was found in any place looked at.
    NotFound,
    /// An environment variable is set but empty.
    EmptyVariable,
    /// An environment variable is not valid UTF-8.
    NotUnicode,
    /// Only one of the secret id and key is set in the environment.
    IncompleteEnvironment,
    /// The profile name cannot name a file safely.
    InvalidProfile,
    /// A credential file exists but could not be read.
    Unreadable,
    /// A credential file is not valid JSON / INI.
    Malformed,
    /// A credential file lacks a required field, or has it with the wrong
    /// type.
    MissingField,
    /// A tccli profile uses a credential type tcdn cannot use (a CVM role,
    /// SSO, OAuth) and holds no keys.
    UnsupportedType,
    /// A secret id or key is empty or malformed.
    Invalid,
}

/// A credential problem, with a message fit for a user: it names the
/// variable, file (and line) or profile concerned, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialError {
    kind: CredentialErrorKind,
    message: String,
}

impl CredentialError {
    fn new(kind: CredentialErrorKind, message: String) -> Self {
        Self { kind, message }
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> CredentialErrorKind {
        self.kind
    }

    fn in_file(self, path: &Path) -> Self {
        Self::new(
            self.kind,
            format!("credential file {}: {}", path.display(), self.message),
        )
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialError {}

type EnvLookup = dyn Fn(&str) -> Option<OsString> + Send + Sync;

/// Resolves [`Credentials`] from the environment and the credential files,
/// with the environment and home directory injected.
///
/// # Order
///
/// 1. The environment: `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY`,
///    with an optional session token from `TENCENTCLOUD_TOKEN`, else
///    `TENCENTCLOUD_SECURITY_TOKEN`. **Skipped when a profile is given
///    explicitly** ([`profile`](Self::profile)), as tccli does: asking for a
///    profile by name means that profile's keys.
/// 2. tccli's JSON file `<home>/.tccli/<profile>.credential` (`secretId`,
///    `secretKey`, optional `token`).
/// 3. The SDKs' INI file `<home>/.tencentcloud/credentials`, or the file
///    named by `TENCENTCLOUD_CREDENTIALS_FILE`: section `[<profile>]` with
///    `secret_id`, `secret_key` and optional `token`.
///
/// The profile is the explicit one, else `TCCLI_PROFILE`, else `default`.
/// A file that does not exist (or an INI file without the profile's
/// section) passes to the next place; a file that exists but is unreadable,
/// malformed or incomplete is an error, so that a broken file is never
/// skipped silently. Any variable read that is set but empty is an error
/// naming it. When nothing is found, the error names every place looked at.
///
/// ```
/// use std::collections::HashMap;
/// use tcdn::{CredentialChain, credentials::CredentialErrorKind};
///
/// let env: HashMap<&str, &str> = HashMap::from([
///     ("TENCENTCLOUD_SECRET_ID", "AKIDexample"),
///     ("TENCENTCLOUD_SECRET_KEY", "secret"),
/// ]);
/// let chain = CredentialChain::new(move |name| env.get(name).map(|v| v.into()), None);
/// assert_eq!(chain.resolve()?.secret_id(), "AKIDexample");
///
/// let empty = CredentialChain::new(|_| None, Some("/nonexistent/home".into()));
/// let err = empty.resolve().unwrap_err();
/// assert_eq!(err.kind(), CredentialErrorKind::NotFound);
/// assert!(err.to_string().contains("TENCENTCLOUD_SECRET_ID"), "{err}");
/// # Ok::<(), tcdn::credentials::CredentialError>(())
/// ```
#[derive(Clone)]
pub struct CredentialChain {
    env: Arc<EnvLookup>,
    home: Option<PathBuf>,
    profile: Option<String>,
}

impl fmt::Debug for CredentialChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialChain")
            .field("home", &self.home)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl CredentialChain {
    /// A chain reading variables through `env` and files below `home`
    /// (`None`: no home directory, so only the environment and
    /// `TENCENTCLOUD_CREDENTIALS_FILE` are looked at).
    pub fn new(
        env: impl Fn(&str) -> Option<OsString> + Send + Sync + 'static,
        home: Option<PathBuf>,
    ) -> Self {
        Self {
            env: Arc::new(env),
            home,
            profile: None,
        }
    }

    /// The process's environment and home directory (`HOME`, or
    /// `USERPROFILE` on Windows).
    pub fn from_process() -> Self {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|home| !home.is_empty())
            .map(PathBuf::from);
        Self::new(|name| std::env::var_os(name), home)
    }

    /// Uses `profile` explicitly (instead of `TCCLI_PROFILE` or `default`),
    /// and skips the environment's keys.
    #[must_use]
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Resolves the credentials.
    ///
    /// # Errors
    /// See the [type's documentation](Self) for the rules; every error
    /// names what it concerns.
    pub fn resolve(&self) -> Result<Credentials, CredentialError> {
        self.resolve_with_source()
            .map(|(credentials, _)| credentials)
    }

    /// Resolves the credentials and tells where they were found.
    ///
    /// # Errors
    /// As for [`resolve`](Self::resolve).
    pub fn resolve_with_source(&self) -> Result<(Credentials, CredentialSource), CredentialError> {
        let mut looked_at = Vec::new();
        if self.profile.is_none() {
            if let Some(credentials) = self.environment_credentials()? {
                return Ok((credentials, CredentialSource::Environment));
            }
            looked_at.push(format!("set {ENV_SECRET_ID} and {ENV_SECRET_KEY}"));
        }
        let profile = match &self.profile {
            Some(profile) => profile.clone(),
            None => self
                .var(ENV_PROFILE)?
                .unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
        };
        check_profile_name(&profile)?;

        match &self.home {
            Some(home) => {
                let path = home.join(".tccli").join(format!("{profile}.credential"));
                if let Some(text) = read_if_exists(&path)? {
                    let credentials =
                        parse_tccli_credential(&text).map_err(|err| err.in_file(&path))?;
                    return Ok((credentials, CredentialSource::TccliFile { path, profile }));
                }
                looked_at.push(format!("create {}", path.display()));
            }
            None => looked_at.push(format!(
                "create ~/.tccli/{profile}.credential (no home directory is known)"
            )),
        }

        let ini_path = match self.var(ENV_CREDENTIALS_FILE)? {
            Some(path) => Some(PathBuf::from(path)),
            None => self
                .home
                .as_ref()
                .map(|home| home.join(".tencentcloud").join("credentials")),
        };
        match ini_path {
            Some(path) => {
                let text = read_if_exists(&path)?;
                if let Some(text) = text {
                    match parse_ini_credentials(&text, &profile).map_err(|e| e.in_file(&path))? {
                        Some(credentials) => {
                            return Ok((credentials, CredentialSource::IniFile { path, profile }));
                        }
                        None => looked_at.push(format!(
                            "add a [{profile}] section to {} (it has none)",
                            path.display()
                        )),
                    }
                } else {
                    looked_at.push(format!("create {}", path.display()));
                }
            }
            None => looked_at
                .push("create ~/.tencentcloud/credentials (no home directory is known)".to_owned()),
        }
        let profile_note = if profile == DEFAULT_PROFILE {
            String::new()
        } else {
            format!(" for profile {profile:?}")
        };
        Err(CredentialError::new(
            CredentialErrorKind::NotFound,
            format!("no credentials{profile_note}: {}", join_or(&looked_at)),
        ))
    }

    /// The variable's value; `None` when unset; an error when set but empty
    /// or not UTF-8.
    fn var(&self, name: &str) -> Result<Option<String>, CredentialError> {
        match (self.env)(name) {
            None => Ok(None),
            Some(value) if value.is_empty() => Err(CredentialError::new(
                CredentialErrorKind::EmptyVariable,
                format!(
                    "the environment variable {name} is set but empty; unset it or give it a value"
                ),
            )),
            Some(value) => value.into_string().map(Some).map_err(|_| {
                CredentialError::new(
                    CredentialErrorKind::NotUnicode,
                    format!("the environment variable {name} is not valid UTF-8"),
                )
            }),
        }
    }

    fn environment_credentials(&self) -> Result<Option<Credentials>, CredentialError> {
        let id = self.var(ENV_SECRET_ID)?;
        let key = self.var(ENV_SECRET_KEY)?;
        let (id, key) = match (id, key) {
            (None, None) => return Ok(None),
            (Some(id), Some(key)) => (id, key),
            (Some(_), None) => return Err(incomplete(ENV_SECRET_ID, ENV_SECRET_KEY)),
            (None, Some(mut key)) => {
                key.zeroize();
                return Err(incomplete(ENV_SECRET_KEY, ENV_SECRET_ID));
            }
        };
        let token = match self.var(ENV_TOKEN)? {
            Some(token) => Some(token),
            None => self.var(ENV_SECURITY_TOKEN)?,
        };
        let credentials = Credentials::new(id, key).map_err(|err| {
            CredentialError::new(
                err.kind,
                format!("{} (from {ENV_SECRET_ID}/{ENV_SECRET_KEY})", err.message),
            )
        })?;
        Ok(Some(match token {
            Some(token) => credentials.with_token(token),
            None => credentials,
        }))
    }
}

fn incomplete(set: &str, missing: &str) -> CredentialError {
    CredentialError::new(
        CredentialErrorKind::IncompleteEnvironment,
        format!("{set} is set but {missing} is not; set both or neither"),
    )
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

fn check_profile_name(profile: &str) -> Result<(), CredentialError> {
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

fn read_if_exists(path: &Path) -> Result<Option<String>, CredentialError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            CredentialError::new(
                CredentialErrorKind::Malformed,
                format!("credential file {} is not valid UTF-8", path.display()),
            )
        }),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(CredentialError::new(
            CredentialErrorKind::Unreadable,
            format!("cannot read credential file {}: {err}", path.display()),
        )),
    }
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
