//! The API 3.0 error codes of purge, push and their queries
//! (docs/protocol.md §5.3), each with its meaning and [`ErrorClass`], and
//! [`ApiError`], the `Error` object of an answer.

use std::fmt;

/// What a client should do about an API 3.0 error code.
///
/// Known codes are classed one by one; an unknown code is classed by its
/// shape ([`ErrorCode::class`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Transient: retry later with a freshly signed request. Rate limits
    /// (`RequestLimitExceeded`, `…OpTooOften`, `…OperationTooOften`),
    /// internal errors (`InternalError*`) and a resource busy with another
    /// operation (`ResourceInUse*`).
    Retryable,
    /// `AuthFailure.SignatureExpire`: the request's timestamp is more than
    /// five minutes from the server's clock. A retry signed by the same
    /// clock fails again; fix the clock (or the given timestamp).
    Clock,
    /// Every other `AuthFailure.*`: the credentials or the signature are
    /// wrong.
    Authentication,
    /// `UnauthorizedOperation*`: the account or sub-account may not do this
    /// (CAM policy, unverified or suspended account, not whitelisted, …),
    /// and `ResourceNotFound.CdnUserNotExists` (no CDN service on the
    /// account). `…OperationTooOften` is a rate limit instead.
    Unauthorized,
    /// The request is wrong: `InvalidParameter*`, `MissingParameter`,
    /// `UnknownParameter`, `InvalidAction`, `NoSuchVersion`,
    /// `Unsupported*`, …, and the codes about one of its domains (not the
    /// account's, offline, a wildcard: [`ErrorCode::concerns_host`], less
    /// the sub-account's and the lock). Fix the request.
    InvalidRequest,
    /// A daily quota is used up (`LimitExceeded.*DayLimit`): stop sending
    /// this operation in this area until the quota resets the next day.
    DailyQuota,
    /// One call carried too many items (`LimitExceeded.*BatchLimit`): split
    /// the batch and send again.
    BatchLimit,
    /// A resource does not exist (`ResourceNotFound*` other than the
    /// catalogued ones).
    NotFound,
    /// The domain is locked, or a resource is short
    /// (`ResourceUnavailable*`, `ResourceInsufficient*`).
    Unavailable,
    /// Refused for a reason the code does not narrow down
    /// (`FailedOperation*`, a bare or unrecognised `LimitExceeded*`,
    /// `DryRunOperation`): not retried.
    Failed,
    /// The domain's configuration is in a state the action cannot work
    /// with (`FailedOperation.CdnConfigError`): not retried; fix the
    /// configuration in the console, or open a ticket.
    Configuration,
    /// A code of no known shape: treat it as permanent.
    Unknown,
}

impl ErrorClass {
    /// Whether retrying the same request later may succeed.
    pub const fn is_retryable(self) -> bool {
        matches!(self, Self::Retryable)
    }
}

/// Defines the catalogue enum of string codes with an `Other` fallback.
macro_rules! catalogue {
    ( $( $variant:ident = $code:literal, $meaning:literal, $class:ident; )* ) => {
        /// An API 3.0 error code (`Response.Error.Code`): the codes the
        /// purge, push and query actions document, and the common ones.
        /// Unknown codes are kept as received ([`Other`](Self::Other)).
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( #[doc = concat!("`", $code, "`: ", $meaning, ".")] $variant, )*
            /// A code not in the catalogue, as received.
            Other(Box<str>),
        }

        impl ErrorCode {
            /// Every catalogued code, in catalogue order.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// Looks a code up (exact, case-sensitive); unknown codes become
            /// [`Other`](Self::Other).
            pub fn from_code(code: &str) -> Self {
                match code {
                    $( $code => Self::$variant, )*
                    other => Self::Other(other.into()),
                }
            }

            /// The code as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $code, )*
                    Self::Other(code) => code,
                }
            }

            /// What the code means (English, from the SDK's error-code
            /// descriptions and Tencent's common error page); for an unknown
            /// code, the meaning of its family.
            pub fn meaning(&self) -> &'static str {
                match self {
                    $( Self::$variant => $meaning, )*
                    Self::Other(code) => family_meaning(code),
                }
            }

            /// What to do about it. A catalogued code has its own class; an
            /// unknown one is classed by its shape: suffix `DayLimit` →
            /// [`DailyQuota`](ErrorClass::DailyQuota), `BatchLimit` →
            /// [`BatchLimit`](ErrorClass::BatchLimit), `TooOften` →
            /// [`Retryable`](ErrorClass::Retryable), `AuthFailure.SignatureExpire…`
            /// → [`Clock`](ErrorClass::Clock), then by the part before the
            /// first `.` (`InternalError.X` like `InternalError`, …).
            pub fn class(&self) -> ErrorClass {
                match self {
                    $( Self::$variant => ErrorClass::$class, )*
                    Self::Other(code) => class_by_shape(code),
                }
            }

            /// Whether the refusal concerns one domain of the call, without
            /// naming it (docs/protocol.md §12.6): the domain is not the
            /// account's, not the sub-account's, offline, locked, or a
            /// wildcard. A call of several hosts refused so is split by host
            /// and sent again to find which: nothing of it was applied.
            pub fn concerns_host(&self) -> bool {
                matches!(
                    self,
                    Self::CdnHostNotExists
                        | Self::CdnHostUnauthorized
                        | Self::CdnHostInvalidStatus
                        | Self::CdnHostIsNotOnline
                        | Self::CdnHostIsLocked
                        | Self::CdnPurgeWildcardNotAllowed
                        | Self::CdnPushWildcardNotAllowed
                )
            }
        }
    };
}

catalogue! {
    // Common to every action.
    SignatureExpire = "AuthFailure.SignatureExpire", "signature expired: the request's timestamp is more than 5 minutes from the server's time", Clock;
    SignatureFailure = "AuthFailure.SignatureFailure", "signature mismatch: check the secret key and the signing steps", Authentication;
    SecretIdNotFound = "AuthFailure.SecretIdNotFound", "the SecretId does not exist or is disabled", Authentication;
    InvalidSecretId = "AuthFailure.InvalidSecretId", "the SecretId is malformed or not a cloud API key", Authentication;
    TokenFailure = "AuthFailure.TokenFailure", "the session token is wrong or expired", Authentication;
    AuthUnauthorizedOperation = "AuthFailure.UnauthorizedOperation", "the request is not authorized (CAM)", Authentication;
    MfaFailure = "AuthFailure.MFAFailure", "multi-factor authentication failed", Authentication;
    InvalidAuthorization = "AuthFailure.InvalidAuthorization", "authentication error; check the credentials and retry", Authentication;
    RequestLimitExceeded = "RequestLimitExceeded", "too many requests: the action's rate limit (20 per second by default) was exceeded", Retryable;
    InvalidParameter = "InvalidParameter", "a parameter is wrong (type or format)", InvalidRequest;
    InvalidParameterValue = "InvalidParameterValue", "a parameter's value is not allowed", InvalidRequest;
    MissingParameter = "MissingParameter", "a required parameter is missing", InvalidRequest;
    UnknownParameter = "UnknownParameter", "a parameter the action does not define was sent", InvalidRequest;
    InvalidAction = "InvalidAction", "the action does not exist", InvalidRequest;
    NoSuchVersion = "NoSuchVersion", "the API version does not exist", InvalidRequest;
    UnsupportedProtocol = "UnsupportedProtocol", "the HTTP method or protocol is not supported", InvalidRequest;
    UnsupportedRegion = "UnsupportedRegion", "the action is not available in the region", InvalidRequest;
    UnsupportedOperation = "UnsupportedOperation", "the operation is not supported", InvalidRequest;
    InternalError = "InternalError", "internal error", Retryable;
    LimitExceeded = "LimitExceeded", "a quota or limit was exceeded", Failed;
    ResourceNotFound = "ResourceNotFound", "the resource does not exist", NotFound;
    UnauthorizedOperation = "UnauthorizedOperation", "the operation is not authorized", Unauthorized;
    FailedOperation = "FailedOperation", "the operation failed", Failed;
    FailedCdnConfigError = "FailedOperation.CdnConfigError", "updating the domain's configuration failed; fix it or open a ticket", Configuration;
    DryRunOperation = "DryRunOperation", "a dry run: the request would have succeeded", Failed;
    ResourceInUse = "ResourceInUse", "the resource is in use", Retryable;
    ResourceInsufficient = "ResourceInsufficient", "a resource is insufficient", Unavailable;
    ResourceUnavailable = "ResourceUnavailable", "the resource is unavailable", Unavailable;
    // Purge and push (the SDK's per-action lists).
    CamSystemError = "InternalError.CamSystemError", "internal authorization system error", Retryable;
    CdnConfigError = "InternalError.CdnConfigError", "updating the domain's configuration failed", Retryable;
    CdnDbError = "InternalError.CdnDbError", "internal data error", Retryable;
    CdnQueryParamError = "InternalError.CdnQueryParamError", "internal query error; retry", Retryable;
    CdnQuerySystemError = "InternalError.CdnQuerySystemError", "internal query error; retry", Retryable;
    CdnSystemError = "InternalError.CdnSystemError", "system error", Retryable;
    InternalErrorError = "InternalError.Error", "internal service error", Retryable;
    ProxyServer = "InternalError.ProxyServer", "internal service error (proxy)", Retryable;
    RouteError = "InternalError.RouteError", "internal service error (routing)", Retryable;
    UnknownError = "InternalError.UnknownError", "internal service error (unknown)", Retryable;
    CdnHostInvalidStatus = "InvalidParameter.CdnHostInvalidStatus", "the domain's state does not allow this (offline?)", InvalidRequest;
    CdnInterfaceError = "InvalidParameter.CdnInterfaceError", "internal interface error", InvalidRequest;
    CdnParamError = "InvalidParameter.CdnParamError", "parameter error; follow the documented examples", InvalidRequest;
    CdnStatInvalidDate = "InvalidParameter.CdnStatInvalidDate", "invalid date; follow the documented date format", InvalidRequest;
    CdnPurgeWildcardNotAllowed = "InvalidParameter.CdnPurgeWildcardNotAllowed", "purge does not accept wildcard domains", InvalidRequest;
    CdnUrlExceedLength = "InvalidParameter.CdnUrlExceedLength", "a URL is longer than allowed", InvalidRequest;
    CdnPushWildcardNotAllowed = "InvalidParameter.CdnPushWildcardNotAllowed", "push does not accept wildcard domains", InvalidRequest;
    CdnHostInvalidMiddleConfig = "InvalidParameter.CdnHostInvalidMiddleConfig", "the domain's middle-tier origin configuration is wrong", InvalidRequest;
    CdnHostInvalidParam = "InvalidParameter.CdnHostInvalidParam", "the domain name is malformed", InvalidRequest;
    CdnStatInvalidProjectId = "InvalidParameter.CdnStatInvalidProjectId", "the project id is wrong", InvalidRequest;
    CdnPurgeExceedBatchLimit = "LimitExceeded.CdnPurgeExceedBatchLimit", "more URLs to purge than one batch allows", BatchLimit;
    CdnPurgeExceedDayLimit = "LimitExceeded.CdnPurgeExceedDayLimit", "the daily purge quota is used up", DailyQuota;
    CdnPurgeUrlExceedBatchLimit = "LimitExceeded.CdnPurgeUrlExceedBatchLimit", "more URLs to purge than one call allows", BatchLimit;
    CdnPurgeUrlExceedDayLimit = "LimitExceeded.CdnPurgeUrlExceedDayLimit", "the daily URL purge quota is used up", DailyQuota;
    CdnPurgePathExceedBatchLimit = "LimitExceeded.CdnPurgePathExceedBatchLimit", "more directories to purge than one call allows", BatchLimit;
    CdnPurgePathExceedDayLimit = "LimitExceeded.CdnPurgePathExceedDayLimit", "the daily directory purge quota is used up", DailyQuota;
    CdnHostOpTooOften = "LimitExceeded.CdnHostOpTooOften", "operations on the domain are too frequent", Retryable;
    CdnPushExceedBatchLimit = "LimitExceeded.CdnPushExceedBatchLimit", "more URLs to push than one call allows", BatchLimit;
    CdnPushExceedDayLimit = "LimitExceeded.CdnPushExceedDayLimit", "the daily push quota is used up", DailyQuota;
    CdnOpInProgress = "ResourceInUse.CdnOpInProgress", "the CDN resource is being operated on", Retryable;
    CdnHostNotExists = "ResourceNotFound.CdnHostNotExists", "no such domain on the account; check the domain name", InvalidRequest;
    CdnUserNotExists = "ResourceNotFound.CdnUserNotExists", "the CDN service is not activated for this account", Unauthorized;
    CdnHostIsNotOnline = "ResourceUnavailable.CdnHostIsNotOnline", "the domain is offline", InvalidRequest;
    CdnHostIsLocked = "ResourceUnavailable.CdnHostIsLocked", "the domain is locked", Unavailable;
    CdnCamUnauthorized = "UnauthorizedOperation.CdnCamUnauthorized", "the sub-account has no CAM policy for this", Unauthorized;
    CdnHostUnauthorized = "UnauthorizedOperation.CdnHostUnauthorized", "the sub-account is not authorized for this domain", Unauthorized;
    CdnUserAuthFail = "UnauthorizedOperation.CdnUserAuthFail", "CDN user verification failed", Unauthorized;
    CdnUserAuthWait = "UnauthorizedOperation.CdnUserAuthWait", "CDN user verification is pending", Unauthorized;
    CdnUserIsSuspended = "UnauthorizedOperation.CdnUserIsSuspended", "the acceleration service is suspended; restart it and retry", Unauthorized;
    EcdnMigratedCdn = "UnauthorizedOperation.EcdnMigratedCdn", "operate from the CDN console", Unauthorized;
    OpNoAuth = "UnauthorizedOperation.OpNoAuth", "the operation is not supported for this account", Unauthorized;
    OperationTooOften = "UnauthorizedOperation.OperationTooOften", "the call frequency limit was exceeded", Retryable;
    CdnUserNoWhitelist = "UnauthorizedOperation.CdnUserNoWhitelist", "the account is not on the feature's whitelist", Unauthorized;
}

/// The class of a code not in the catalogue, by its shape.
fn class_by_shape(code: &str) -> ErrorClass {
    if code.starts_with("AuthFailure.SignatureExpire") {
        return ErrorClass::Clock;
    }
    if code.ends_with("DayLimit") {
        return ErrorClass::DailyQuota;
    }
    if code.ends_with("BatchLimit") {
        return ErrorClass::BatchLimit;
    }
    if code.ends_with("TooOften") {
        return ErrorClass::Retryable;
    }
    let family = code.split('.').next().unwrap_or(code);
    match family {
        "InternalError" | "RequestLimitExceeded" | "ResourceInUse" => ErrorClass::Retryable,
        "AuthFailure" => ErrorClass::Authentication,
        "UnauthorizedOperation" => ErrorClass::Unauthorized,
        "InvalidParameter"
        | "InvalidParameterValue"
        | "MissingParameter"
        | "UnknownParameter"
        | "InvalidAction"
        | "NoSuchVersion"
        | "UnsupportedProtocol"
        | "UnsupportedRegion"
        | "UnsupportedOperation"
        | "InvalidRequest" => ErrorClass::InvalidRequest,
        "ResourceNotFound" => ErrorClass::NotFound,
        "ResourceUnavailable" | "ResourceInsufficient" => ErrorClass::Unavailable,
        "LimitExceeded" | "FailedOperation" | "DryRunOperation" => ErrorClass::Failed,
        _ => ErrorClass::Unknown,
    }
}

/// The meaning of an unknown code: that of its family's bare code.
fn family_meaning(code: &str) -> &'static str {
    let family = code.split('.').next().unwrap_or(code);
    match ErrorCode::from_code(family) {
        ErrorCode::Other(_) => "unknown error code",
        known => known.meaning(),
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> Self {
        Self::from_code(code)
    }
}

/// An API 3.0 error: `Response.Error`'s `Code` and `Message`.
///
/// The client reads it from an answer; the server side (the emulator) gets
/// it from the request parsers and writes it with
/// [`Answer::error`](crate::v3::Answer::error).
///
/// `Display` writes `Code: Message` with control characters in the
/// server-supplied message escaped, so a hostile message cannot drive a
/// terminal; [`message`](Self::message) is the raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
}

impl ApiError {
    /// An error with its code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The code.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// The message as received (it may change over time: match on the code).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it ([`ErrorCode::class`]).
    pub fn class(&self) -> ErrorClass {
        self.code.class()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.message.is_empty() {
            f.write_str(": ")?;
        }
        for c in self.message.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip_with_a_class_and_meaning() {
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::from_code(code.as_str()), code);
            assert_ne!(code.class(), ErrorClass::Unknown, "{code}");
            assert!(!code.meaning().is_empty());
            // The shape rules for unknown codes agree with the catalogue,
            // but for the codes classed one by one (docs/protocol.md §12).
            let own = [
                ErrorCode::CdnHostNotExists,
                ErrorCode::CdnHostIsNotOnline,
                ErrorCode::CdnUserNotExists,
                ErrorCode::FailedCdnConfigError,
            ];
            if !own.contains(code) {
                assert_eq!(class_by_shape(code.as_str()), code.class(), "{code}");
            }
        }
    }

    #[test]
    fn classes_follow_the_brief() {
        use ErrorClass::*;
        let cases = [
            ("RequestLimitExceeded", Retryable),
            ("InternalError.CdnDbError", Retryable),
            ("ResourceInUse.CdnOpInProgress", Retryable),
            ("LimitExceeded.CdnHostOpTooOften", Retryable),
            ("AuthFailure.SignatureFailure", Authentication),
            ("AuthFailure.SignatureExpire", Clock),
            ("MissingParameter", InvalidRequest),
            ("NoSuchVersion", InvalidRequest),
            ("LimitExceeded.CdnPurgeUrlExceedDayLimit", DailyQuota),
            ("LimitExceeded.CdnPushExceedBatchLimit", BatchLimit),
            ("UnauthorizedOperation.CdnCamUnauthorized", Unauthorized),
            ("ResourceNotFound.CdnHostNotExists", InvalidRequest),
            ("ResourceUnavailable.CdnHostIsLocked", Unavailable),
            // A real account's refusals (docs/protocol.md §12).
            ("InvalidParameter.CdnHostInvalidStatus", InvalidRequest),
            ("ResourceUnavailable.CdnHostIsNotOnline", InvalidRequest),
            (
                "InvalidParameter.CdnPurgeWildcardNotAllowed",
                InvalidRequest,
            ),
            ("InvalidParameter.CdnPushWildcardNotAllowed", InvalidRequest),
            ("UnauthorizedOperation.CdnHostUnauthorized", Unauthorized),
            ("UnauthorizedOperation.CdnSomethingNew", Unauthorized),
            ("ResourceNotFound.CdnUserNotExists", Unauthorized),
            ("FailedOperation.CdnConfigError", Configuration),
            ("FailedOperation.SomethingElse", Failed),
            ("InternalError.CdnConfigError", Retryable),
        ];
        for (code, class) in cases {
            assert_eq!(ErrorCode::from_code(code).class(), class, "{code}");
        }
    }

    #[test]
    fn host_codes_are_the_refusals_about_one_domain() {
        let host: Vec<&str> = ErrorCode::KNOWN
            .iter()
            .filter(|code| code.concerns_host())
            .map(ErrorCode::as_str)
            .collect();
        assert_eq!(
            host,
            [
                "InvalidParameter.CdnHostInvalidStatus",
                "InvalidParameter.CdnPurgeWildcardNotAllowed",
                "InvalidParameter.CdnPushWildcardNotAllowed",
                "ResourceNotFound.CdnHostNotExists",
                "ResourceUnavailable.CdnHostIsNotOnline",
                "ResourceUnavailable.CdnHostIsLocked",
                "UnauthorizedOperation.CdnHostUnauthorized",
            ]
        );
        for code in [
            "UnauthorizedOperation.CdnCamUnauthorized",
            "InvalidParameter.CdnParamError",
            "X",
        ] {
            assert!(!ErrorCode::from_code(code).concerns_host(), "{code}");
        }
    }

    #[test]
    fn unknown_codes_are_classed_by_shape() {
        use ErrorClass::*;
        let cases = [
            ("InternalError.SomethingNew", Retryable),
            ("AuthFailure.Whatever", Authentication),
            ("AuthFailure.SignatureExpireSoon", Clock),
            ("LimitExceeded.CdnNewThingExceedDayLimit", DailyQuota),
            ("LimitExceeded.CdnNewThingExceedBatchLimit", BatchLimit),
            ("LimitExceeded.Other", Failed),
            ("InvalidParameterValue.Bad", InvalidRequest),
            ("ResourceNotFound.X", NotFound),
            ("UnauthorizedOperation.X", Unauthorized),
            ("RequestLimitExceeded.UinLimitExceeded", Retryable),
            ("Weird", Unknown),
            ("", Unknown),
        ];
        for (code, class) in cases {
            let parsed = ErrorCode::from_code(code);
            assert_eq!(parsed, ErrorCode::Other(code.into()));
            assert_eq!(parsed.class(), class, "{code}");
        }
        assert_eq!(
            ErrorCode::from_code("InternalError.New").meaning(),
            "internal error"
        );
        assert_eq!(ErrorCode::from_code("X").meaning(), "unknown error code");
    }

    #[test]
    fn display_escapes_control_characters() {
        let e = ApiError::new(ErrorCode::InvalidParameter, "bad\u{1b}[2J\nFAKE LINE 猫");
        assert_eq!(
            e.to_string(),
            "InvalidParameter: bad\\u{1b}[2J\\nFAKE LINE 猫"
        );
        assert_eq!(e.message(), "bad\u{1b}[2J\nFAKE LINE 猫");
        assert!(!ErrorClass::Failed.is_retryable());
    }
}
