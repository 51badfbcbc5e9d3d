//! EdgeOne's own error codes of the six actions (docs/protocol.md §13.6),
//! each with its meaning and [`ErrorClass`]. Answers carry them in an API
//! 3.0 [`ApiError`] (the envelope is the same), where a code only EdgeOne
//! uses is an [`ErrorCode::Other`](crate::v3::ErrorCode::Other);
//! [`class_of`] classes any code, EdgeOne's first, then API 3.0's.

use std::fmt;

use crate::v3::{ApiError, ErrorClass};

/// Defines the catalogue of EdgeOne codes.
macro_rules! teo_codes {
    ( $( $variant:ident = $code:literal, $meaning:literal, $class:ident; )* ) => {
        /// An EdgeOne error code of the purge, prefetch, quota and zone
        /// actions that API 3.0's catalogue does not hold, or holds with
        /// another class.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( #[doc = concat!("`", $code, "`: ", $meaning, ".")] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The code as the API spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )*
                }
            }

            /// What the code means.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $( Self::$variant => $meaning, )*
                }
            }

            /// What to do about it.
            pub const fn class(self) -> ErrorClass {
                match self {
                    $( Self::$variant => ErrorClass::$class, )*
                }
            }

            /// Looks a code up (exact, case-sensitive).
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

teo_codes! {
    BackendError = "InternalError.BackendError", "server error", Retryable;
    DomainConfig = "InternalError.DomainConfig", "failed to get the configuration", Retryable;
    ProxyServer = "InternalError.ProxyServer", "an unknown error occurred in the backend server", Retryable;
    QuotaSystem = "InternalError.QuotaSystem", "the quota system failed", Retryable;
    DomainNotFound = "InvalidParameter.DomainNotFound", "the domain does not exist or does not belong to this account", NotFound;
    ParameterError = "InvalidParameter.ParameterError", "parameter error", InvalidRequest;
    Target = "InvalidParameter.Target", "a target is wrong", InvalidRequest;
    TaskNotGenerated = "InvalidParameter.TaskNotGenerated", "the task could not be created", Failed;
    UploadUrl = "InvalidParameter.UploadUrl", "invalid file upload link", InvalidRequest;
    BatchQuota = "LimitExceeded.BatchQuota", "one call carried more targets than the zone's quota allows", BatchLimit;
    DailyQuota = "LimitExceeded.DailyQuota", "the zone's daily quota of this type is used up", DailyQuota;
    PackNotAllow = "LimitExceeded.PackNotAllow", "the zone's plan does not allow this", Failed;
    CamUnauthorized = "UnauthorizedOperation.CamUnauthorized", "CAM has not authorised this", Unauthorized;
    NoPermission = "UnauthorizedOperation.NoPermission", "the sub-account may not do this", Unauthorized;
    UnauthorizedUnknown = "UnauthorizedOperation.Unknown", "an unknown error occurred in the backend server", Unauthorized;
    DomainEmpty = "UnauthorizedOperation.DomainEmpty", "authentication error", Unauthorized;
    OperationDenied = "OperationDenied", "operation denied", Failed;
    ZoneNotFound = "ResourceNotFound.ZoneNotFound", "the zone does not exist", NotFound;
    InvalidZone = "InvalidParameter.ZoneNotFound", "the zone does not exist", NotFound;
    ZoneValueNotFound = "InvalidParameterValue.ZoneNotFound", "no such zone; check the zone id", NotFound;
    ZoneUnavailable = "ResourceUnavailable.ZoneNotFound", "the zone does not exist or does not belong to this account", NotFound;
}

impl ErrorCode {
    /// An error of this code with `message`, as an answer carries it.
    pub fn error(self, message: impl Into<String>) -> ApiError {
        ApiError::new(crate::v3::ErrorCode::from_code(self.as_str()), message)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The class of any code an EdgeOne answer carries: EdgeOne's catalogue
/// first (its quota codes fit no API 3.0 shape), then API 3.0's catalogue
/// and shapes.
pub fn class_of(code: &str) -> ErrorClass {
    ErrorCode::from_code(code).map_or_else(
        || crate::v3::ErrorCode::from_code(code).class(),
        ErrorCode::class,
    )
}

/// The class of an EdgeOne answer's error ([`class_of`] its code).
pub fn class_of_error(error: &ApiError) -> ErrorClass {
    class_of(error.code().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_keeps_its_class_in_an_answer_error() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(code.as_str()), Some(code));
            let error = code.error("m");
            assert_eq!(error.code().as_str(), code.as_str());
            assert_eq!(class_of_error(&error), code.class(), "{code}");
        }
    }

    #[test]
    fn quota_codes_are_classed_by_name_not_shape() {
        assert_eq!(class_of("LimitExceeded.BatchQuota"), ErrorClass::BatchLimit);
        assert_eq!(class_of("LimitExceeded.DailyQuota"), ErrorClass::DailyQuota);
        // API 3.0 alone reads both as a plain refusal.
        assert_eq!(
            crate::v3::ErrorCode::from_code("LimitExceeded.DailyQuota").class(),
            ErrorClass::Failed
        );
        assert_eq!(class_of("RequestLimitExceeded"), ErrorClass::Retryable);
        assert_eq!(class_of("AuthFailure.SignatureExpire"), ErrorClass::Clock);
    }
}
