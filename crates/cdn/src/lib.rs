//! tcdn: Tencent Cloud CDN flush (purge) and push (prefetch).
#![forbid(unsafe_code)]

mod client;
mod credentials;
mod endpoint;
mod env;
mod error;
mod request;
mod retry;

pub use client::{
    BatchReport, CallOutcome, Client, ClientBuilder, DEFAULT_CONCURRENCY,
    DEFAULT_RATE_LIMIT_PER_MINUTE, DEFAULT_TIMEOUT, Failure, Report,
};
pub use credentials::{
    CredentialChain, CredentialError, CredentialErrorKind, CredentialSource, Credentials,
    DEFAULT_PROFILE, ENV_CREDENTIALS_FILE, ENV_PROFILE, ENV_SECRET_ID, ENV_SECRET_KEY,
    ENV_SECURITY_TOKEN, ENV_TOKEN, SessionToken, parse_ini_credentials, parse_tccli_credential,
};
pub use endpoint::{DEFAULT_ENDPOINT, Endpoint, EndpointError, EndpointErrorKind};
pub use env::{
    Clock, ManualClock, ManualSleeper, Nonce, NonceError, NonceErrorKind, NonceSource,
    RandomNonces, SequentialNonces, Sleeper, SystemClock, TokioSleeper,
};
pub use error::{CallError, CallErrorKind, ClientError, ClientErrorKind, GaveUp};
pub use request::{
    BatchPlan, MAX_GET_TARGET_LEN, MAX_POST_BODY_LEN, PlanItem, PreparedRequest, RequestBuilder,
    RequestError, RequestErrorKind, TooLarge, plan_batches,
};
pub use retry::{Jitter, PACING_MARGIN, RATE_WINDOW, RetryPolicy};
pub use tcdn_model::{Areas, CdnUrl, Envelope, FlushOrPush, ModelError, ModelErrorKind, Operation};
pub use tcdn_sign::{HttpMethod, SecretKey, SignatureMethod};
pub use tcdn_transport::Transport;
