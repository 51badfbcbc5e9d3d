//! [`CredentialChain`]: where credentials are looked for, in order, with
//! the environment and home directory injected.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tcdn_transport::{HyperTransport, Transport};
use zeroize::Zeroize;

use super::files::{check_profile_name, read_if_exists};
use super::{
    AssumeRoleProvider, CredentialError, CredentialErrorKind, CredentialProvider, CredentialSource,
    Credentials, CvmRoleProvider, DEFAULT_PROFILE, ENV_CREDENTIALS_FILE, ENV_METADATA_ENDPOINT,
    ENV_PROFILE, ENV_ROLE_ARN, ENV_ROLE_SESSION_NAME, ENV_SECRET_ID, ENV_SECRET_KEY,
    ENV_SECURITY_TOKEN, ENV_STS_ENDPOINT, ENV_TKE_PROVIDER_ID, ENV_TKE_REGION, ENV_TKE_ROLE_ARN,
    ENV_TKE_WEB_IDENTITY_TOKEN_FILE, ENV_TOKEN, METADATA_HOST, RefreshPolicy,
    RefreshingCredentials, RoleArn, RoleSessionName, ServiceOrigin, StaticProvider,
    WebIdentityProvider, parse_ini_credentials, parse_tccli_credential,
};
use crate::clock::{Clock, SystemClock};

/// The TKE variables, in the order they are named.
const TKE_VARIABLES: [&str; 4] = [
    ENV_TKE_REGION,
    ENV_TKE_PROVIDER_ID,
    ENV_TKE_WEB_IDENTITY_TOKEN_FILE,
    ENV_TKE_ROLE_ARN,
];

type EnvLookup = dyn Fn(&str) -> Option<OsString> + Send + Sync;

/// Where credentials are looked for, with the environment and home
/// directory injected.
///
/// [`resolve`](Self::resolve) reads the environment and the files only (no
/// network, no temporary credentials but those written there);
/// [`load`](Self::load) follows the whole chain and returns
/// [`RefreshingCredentials`].
///
/// # Order of [`load`](Self::load)
///
/// Explicit choices come first:
///
/// - a role to assume ([`role_arn`](Self::role_arn), else
///   `TENCENTCLOUD_ROLE_ARN`): STS `AssumeRole`, signed with the base
///   credentials found by the rest of the chain (or the instance role with
///   [`use_cvm_role`](Self::use_cvm_role)); session name from
///   [`role_session_name`](Self::role_session_name), else
///   `TENCENTCLOUD_ROLE_SESSION_NAME`, else `tcdn-<unix seconds>`;
/// - [`use_cvm_role`](Self::use_cvm_role): the instance's CAM role only.
///
/// Otherwise, the first source that has credentials:
///
/// 1. to 3., the environment and the files, as [`resolve`](Self::resolve)
///    reads them (below);
/// 4. TKE OIDC, when all four of `TKE_REGION`, `TKE_PROVIDER_ID`,
///    `TKE_WEB_IDENTITY_TOKEN_FILE` and `TKE_ROLE_ARN` are set: STS
///    `AssumeRoleWithWebIdentity`;
/// 5. the CAM role bound to this CVM instance, from the metadata service;
///    a 404 (no role bound) or an unreachable service (not a CVM instance)
///    means "not here" (skipped with
///    [`without_instance_role_fallback`](Self::without_instance_role_fallback)).
///
/// With an explicit [`profile`](Self::profile), only the files are looked
/// at (as by [`resolve`](Self::resolve)). The metadata service and STS are
/// reached at `TCDN_METADATA_ENDPOINT` and `TCDN_STS_ENDPOINT` when set
/// ([`ServiceOrigin`]). When nothing is found, the error names every source
/// tried; a source that exists but fails (an STS refusal, an unreadable
/// token file) is an error naming it.
///
/// # Order of [`resolve`](Self::resolve)
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
    use_cvm_role: bool,
    instance_role_fallback: bool,
    role_arn: Option<String>,
    role_session_name: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    clock: Option<Arc<dyn Clock>>,
    policy: RefreshPolicy,
}

impl fmt::Debug for CredentialChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialChain")
            .field("home", &self.home)
            .field("profile", &self.profile)
            .field("use_cvm_role", &self.use_cvm_role)
            .field("instance_role_fallback", &self.instance_role_fallback)
            .field("role_arn", &self.role_arn)
            .field("role_session_name", &self.role_session_name)
            .field("policy", &self.policy)
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
            use_cvm_role: false,
            instance_role_fallback: true,
            role_arn: None,
            role_session_name: None,
            transport: None,
            clock: None,
            policy: RefreshPolicy::default(),
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

    /// Uses the CAM role bound to this CVM instance, and nothing else (as
    /// the base of an assumed role, when one is given).
    #[must_use]
    pub fn use_cvm_role(mut self) -> Self {
        self.use_cvm_role = true;
        self
    }

    /// Does not fall back on the instance's CAM role at the end of the
    /// chain (the metadata service is not contacted unless
    /// [`use_cvm_role`](Self::use_cvm_role) asks for it): for work that
    /// should not reach the network for nothing, such as a dry run off an
    /// instance.
    #[must_use]
    pub fn without_instance_role_fallback(mut self) -> Self {
        self.instance_role_fallback = false;
        self
    }

    /// Assumes `role_arn` with STS `AssumeRole` (instead of
    /// `TENCENTCLOUD_ROLE_ARN`). Checked by [`load`](Self::load).
    #[must_use]
    pub fn role_arn(mut self, role_arn: impl Into<String>) -> Self {
        self.role_arn = Some(role_arn.into());
        self
    }

    /// The session name of the assumed role (instead of
    /// `TENCENTCLOUD_ROLE_SESSION_NAME`). Checked by [`load`](Self::load).
    #[must_use]
    pub fn role_session_name(mut self, name: impl Into<String>) -> Self {
        self.role_session_name = Some(name.into());
        self
    }

    /// Talks to the metadata service and STS through `transport` (default:
    /// hyper with rustls, no proxy for the metadata service, plain `http`
    /// allowed to `metadata.tencentyun.com`).
    #[must_use]
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Reads time from `clock` (default: the system clock): request
    /// timestamps, expiry, refresh times.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Refreshes temporary credentials by `policy`.
    #[must_use]
    pub fn refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Follows the whole chain (see the [type's documentation](Self)) and
    /// fetches the first credentials, over HTTP where the source needs it.
    ///
    /// # Errors
    /// [`NotFound`](CredentialErrorKind::NotFound) naming every source
    /// tried; otherwise the error of the source that failed, naming it.
    pub async fn load(&self) -> Result<RefreshingCredentials, CredentialError> {
        let clock: Arc<dyn Clock> = match &self.clock {
            Some(clock) => Arc::clone(clock),
            None => Arc::new(SystemClock::new()),
        };
        let role_arn = match &self.role_arn {
            Some(role_arn) => Some(role_arn.clone()),
            None => self.var(ENV_ROLE_ARN)?,
        };
        let Some(role_arn) = role_arn else {
            return self.load_base(&clock).await;
        };
        let role_arn: RoleArn = role_arn.parse()?;
        let session_name = match &self.role_session_name {
            Some(name) => Some(name.clone()),
            None => self.var(ENV_ROLE_SESSION_NAME)?,
        }
        .map(|name| name.parse::<RoleSessionName>())
        .transpose()?;
        let base = Arc::new(self.load_base(&clock).await?);
        let provider = AssumeRoleProvider::new(
            self.sts_transport()?,
            self.origin(ENV_STS_ENDPOINT, ServiceOrigin::sts)?,
            Arc::clone(&clock),
            base,
            role_arn,
            session_name,
        );
        self.start(Arc::new(provider), clock).await
    }

    async fn start(
        &self,
        provider: Arc<dyn CredentialProvider>,
        clock: Arc<dyn Clock>,
    ) -> Result<RefreshingCredentials, CredentialError> {
        RefreshingCredentials::with_policy(provider, clock, self.policy).await
    }

    /// Everything but the assumed role.
    async fn load_base(
        &self,
        clock: &Arc<dyn Clock>,
    ) -> Result<RefreshingCredentials, CredentialError> {
        if self.use_cvm_role {
            return self.start(self.cvm_role()?, Arc::clone(clock)).await;
        }
        let mut looked_at = Vec::new();
        let profile = self.profile_name()?;
        if let Some((credentials, source)) = self.resolve_files(&profile, &mut looked_at)? {
            let provider = StaticProvider::new(credentials, source);
            return self.start(Arc::new(provider), Arc::clone(clock)).await;
        }
        if self.profile.is_some() {
            return Err(not_found(&profile, &looked_at));
        }

        let tke: Vec<Option<String>> = TKE_VARIABLES
            .iter()
            .map(|name| self.var(name))
            .collect::<Result<_, _>>()?;
        match tke.as_slice() {
            [
                Some(region),
                Some(provider_id),
                Some(token_file),
                Some(role_arn),
            ] => {
                let role_arn: RoleArn = role_arn
                    .parse()
                    .map_err(|err: CredentialError| err.context(ENV_TKE_ROLE_ARN))?;
                let provider = WebIdentityProvider::new(
                    self.sts_transport()?,
                    self.origin(ENV_STS_ENDPOINT, ServiceOrigin::sts)?,
                    Arc::clone(clock),
                    region.clone(),
                    provider_id.clone(),
                    token_file.clone(),
                    role_arn,
                );
                return self.start(Arc::new(provider), Arc::clone(clock)).await;
            }
            partial => {
                let missing: Vec<&str> = TKE_VARIABLES
                    .iter()
                    .zip(partial)
                    .filter(|(_, value)| value.is_none())
                    .map(|(name, _)| *name)
                    .collect();
                looked_at.push(if missing.len() == TKE_VARIABLES.len() {
                    format!("set {} (TKE OIDC)", join_and(&TKE_VARIABLES))
                } else {
                    format!(
                        "set {} as well (TKE OIDC needs all four TKE_* variables)",
                        join_and(&missing)
                    )
                });
            }
        }

        if !self.instance_role_fallback {
            looked_at.push(
                "ask for the CVM instance's CAM role explicitly (tcdn --use-cvm-role)".to_owned(),
            );
            return Err(not_found(&profile, &looked_at));
        }
        match self.start(self.cvm_role()?, Arc::clone(clock)).await {
            Ok(credentials) => Ok(credentials),
            Err(err)
                if matches!(
                    err.kind(),
                    CredentialErrorKind::NoRoleBound | CredentialErrorKind::Unreachable
                ) =>
            {
                looked_at.push(format!("run on a CVM instance with a CAM role ({err})"));
                Err(not_found(&profile, &looked_at))
            }
            Err(err) => Err(err),
        }
    }

    fn cvm_role(&self) -> Result<Arc<dyn CredentialProvider>, CredentialError> {
        let origin = self.origin(ENV_METADATA_ENDPOINT, ServiceOrigin::metadata)?;
        let transport = match &self.transport {
            Some(transport) => Arc::clone(transport),
            // The metadata service answers at once on an instance; elsewhere
            // its name does not resolve, or nothing answers: fail fast.
            None => default_transport(
                HyperTransport::builder()
                    .disable_proxy()
                    .allow_plain_http_host(METADATA_HOST)
                    .connect_timeout(Duration::from_secs(2))
                    .total_timeout(Duration::from_secs(10)),
            )?,
        };
        Ok(Arc::new(CvmRoleProvider::new(transport, origin)))
    }

    fn sts_transport(&self) -> Result<Arc<dyn Transport>, CredentialError> {
        match &self.transport {
            Some(transport) => Ok(Arc::clone(transport)),
            None => {
                default_transport(HyperTransport::builder().total_timeout(Duration::from_secs(30)))
            }
        }
    }

    /// The origin named by the variable `name`, else `default()`.
    fn origin(
        &self,
        name: &str,
        default: fn() -> ServiceOrigin,
    ) -> Result<ServiceOrigin, CredentialError> {
        match self.var(name)? {
            None => Ok(default()),
            Some(text) => ServiceOrigin::parse(&text).map_err(|err| {
                CredentialError::new(
                    CredentialErrorKind::InvalidSetting,
                    format!("{name}: {err}"),
                )
            }),
        }
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
        let profile = self.profile_name()?;
        self.resolve_files(&profile, &mut looked_at)?
            .ok_or_else(|| not_found(&profile, &looked_at))
    }

    /// The explicit profile, else `TCCLI_PROFILE`, else `default`; checked.
    fn profile_name(&self) -> Result<String, CredentialError> {
        let profile = match &self.profile {
            Some(profile) => profile.clone(),
            None => self
                .var(ENV_PROFILE)?
                .unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
        };
        check_profile_name(&profile)?;
        Ok(profile)
    }

    /// The environment and the files; what to do where nothing was found
    /// is added to `looked_at`.
    fn resolve_files(
        &self,
        profile: &str,
        looked_at: &mut Vec<String>,
    ) -> Result<Option<(Credentials, CredentialSource)>, CredentialError> {
        if self.profile.is_none() {
            if let Some(credentials) = self.environment_credentials()? {
                return Ok(Some((credentials, CredentialSource::Environment)));
            }
            looked_at.push(format!("set {ENV_SECRET_ID} and {ENV_SECRET_KEY}"));
        }
        let profile = profile.to_owned();

        match &self.home {
            Some(home) => {
                let path = home.join(".tccli").join(format!("{profile}.credential"));
                if let Some(text) = read_if_exists(&path)? {
                    let credentials =
                        parse_tccli_credential(&text).map_err(|err| err.in_file(&path))?;
                    return Ok(Some((
                        credentials,
                        CredentialSource::TccliFile { path, profile },
                    )));
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
                            return Ok(Some((
                                credentials,
                                CredentialSource::IniFile { path, profile },
                            )));
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
        Ok(None)
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

fn not_found(profile: &str, looked_at: &[String]) -> CredentialError {
    let profile_note = if profile == DEFAULT_PROFILE {
        String::new()
    } else {
        format!(" for profile {profile:?}")
    };
    CredentialError::new(
        CredentialErrorKind::NotFound,
        format!("no credentials{profile_note}: {}", join_or(looked_at)),
    )
}

fn default_transport(
    builder: tcdn_transport::HyperTransportBuilder,
) -> Result<Arc<dyn Transport>, CredentialError> {
    builder
        .build()
        .map(|transport| Arc::new(transport) as Arc<dyn Transport>)
        .map_err(|err| {
            CredentialError::new(
                CredentialErrorKind::InvalidSetting,
                format!("cannot set up HTTP for the credential services: {err}"),
            )
        })
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}
