//! Errors of signing and of verification.
//!
//! They name parameters, never values: a value may be a session token, and
//! the key and the expected signature appear nowhere.

use core::fmt;

use crate::{HttpMethod, SignatureMethod};

/// `Debug` of an error as its kind and its message: the message is written
/// to name no secret, and the fields behind it are not shown.
macro_rules! debug_as_kind_and_message {
    ($error:ty, $name:literal) => {
        impl core::fmt::Debug for $error {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct($name)
                    .field("kind", &self.kind())
                    .field("message", &format_args!("{self}"))
                    .finish()
            }
        }
    };
}
pub(crate) use debug_as_kind_and_message;

/// What kind of [`SignError`] this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignErrorKind {
    /// Two parameters have the same name once `_` is read as `.`
    /// (`a_b` and `a.b`, or the same name twice).
    DuplicateName,
    /// A parameter is named `Signature`, which the signer adds itself.
    ReservedName,
    /// More parameters than [`crate::MAX_PARAMS`].
    TooManyParameters,
    /// [`CanonicalSigner`](crate::CanonicalSigner) only: a name does not come
    /// after the previous one in the canonical order.
    OutOfOrder,
    /// [`CanonicalSigner`](crate::CanonicalSigner) only: the request's
    /// `SignatureMethod` parameter (or its absence) selects a different hash
    /// than the one the signer was created with.
    MethodMismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Detail {
    Duplicate {
        first: String,
        second: String,
    },
    Reserved,
    TooMany {
        count: usize,
    },
    OutOfOrder {
        previous: String,
        name: String,
    },
    MethodMismatch {
        signer: SignatureMethod,
        selected: SignatureMethod,
    },
}

/// The parameters cannot be signed.
#[derive(Clone, PartialEq, Eq)]
pub struct SignError {
    detail: Detail,
}

impl SignError {
    pub(crate) fn duplicate(first: &str, second: &str) -> Self {
        Self {
            detail: Detail::Duplicate {
                first: first.to_owned(),
                second: second.to_owned(),
            },
        }
    }

    pub(crate) fn reserved() -> Self {
        Self {
            detail: Detail::Reserved,
        }
    }

    pub(crate) fn too_many(count: usize) -> Self {
        Self {
            detail: Detail::TooMany { count },
        }
    }

    pub(crate) fn out_of_order(previous: String, name: &str) -> Self {
        Self {
            detail: Detail::OutOfOrder {
                previous,
                name: name.to_owned(),
            },
        }
    }

    pub(crate) fn method_mismatch(signer: SignatureMethod, selected: SignatureMethod) -> Self {
        Self {
            detail: Detail::MethodMismatch { signer, selected },
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> SignErrorKind {
        match self.detail {
            Detail::Duplicate { .. } => SignErrorKind::DuplicateName,
            Detail::Reserved => SignErrorKind::ReservedName,
            Detail::TooMany { .. } => SignErrorKind::TooManyParameters,
            Detail::OutOfOrder { .. } => SignErrorKind::OutOfOrder,
            Detail::MethodMismatch { .. } => SignErrorKind::MethodMismatch,
        }
    }

    /// For [`SignErrorKind::DuplicateName`], the two names as given.
    pub fn duplicate_names(&self) -> Option<(&str, &str)> {
        match &self.detail {
            Detail::Duplicate { first, second } => Some((first, second)),
            _ => None,
        }
    }
}

debug_as_kind_and_message!(SignError, "SignError");

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Detail::Duplicate { first, second } if first == second => write!(
                f,
                "parameter `{first}` appears twice; each name may appear once \
                 (the signature covers one value per name)"
            ),
            Detail::Duplicate { first, second } => write!(
                f,
                "parameters `{first}` and `{second}` are the same name once `_` is read as `.` \
                 (the signature renames `_` to `.`); each name may appear once"
            ),
            Detail::Reserved => f.write_str(
                "parameter `Signature` is among the parameters to sign; \
                 the signature covers every other parameter and is added after signing",
            ),
            Detail::TooMany { count } => write!(
                f,
                "{count} parameters exceed the signer's limit of {}",
                crate::MAX_PARAMS
            ),
            Detail::OutOfOrder { previous, name } => write!(
                f,
                "parameter `{name}` comes after `{previous}` but sorts before it; \
                 the canonical signer takes names in byte order with `_` read as `.`"
            ),
            Detail::MethodMismatch { signer, selected } => write!(
                f,
                "the request's `SignatureMethod` selects {selected} but the signer was \
                 created for {signer}; the server would compute a different signature"
            ),
        }
    }
}

impl std::error::Error for SignError {}

/// What kind of [`VerifyError`] this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// The request has no `Signature` parameter.
    MissingSignature,
    /// The request cannot be verified as it stands: a name appears twice
    /// (`Signature` included), or it has too many parameters.
    Malformed,
    /// The `Signature` differs from the one computed with the key.
    Mismatch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum VerifyDetail {
    Missing,
    Malformed(SignError),
    DuplicateSignature,
    Mismatch {
        method: SignatureMethod,
        http: HttpMethod,
        host: String,
        path: String,
    },
}

/// The request's signature does not check out.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyError {
    detail: VerifyDetail,
}

impl VerifyError {
    pub(crate) fn missing() -> Self {
        Self {
            detail: VerifyDetail::Missing,
        }
    }

    pub(crate) fn malformed(source: SignError) -> Self {
        Self {
            detail: VerifyDetail::Malformed(source),
        }
    }

    pub(crate) fn duplicate_signature() -> Self {
        Self {
            detail: VerifyDetail::DuplicateSignature,
        }
    }

    pub(crate) fn mismatch(
        method: SignatureMethod,
        http: HttpMethod,
        host: &str,
        path: &str,
    ) -> Self {
        Self {
            detail: VerifyDetail::Mismatch {
                method,
                http,
                host: host.to_owned(),
                path: path.to_owned(),
            },
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> VerifyErrorKind {
        match self.detail {
            VerifyDetail::Missing => VerifyErrorKind::MissingSignature,
            VerifyDetail::Malformed(_) | VerifyDetail::DuplicateSignature => {
                VerifyErrorKind::Malformed
            }
            VerifyDetail::Mismatch { .. } => VerifyErrorKind::Mismatch,
        }
    }
}

debug_as_kind_and_message!(VerifyError, "VerifyError");

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            VerifyDetail::Missing => f.write_str("the request has no `Signature` parameter"),
            VerifyDetail::Malformed(source) => {
                write!(f, "the request cannot be verified: {source}")
            }
            VerifyDetail::DuplicateSignature => f.write_str(
                "the request cannot be verified: parameter `Signature` appears more than once",
            ),
            VerifyDetail::Mismatch {
                method,
                http,
                host,
                path,
            } => write!(
                f,
                "the `Signature` does not match the request \
                 (recomputed with {method} for `{http} {host}{path}`)"
            ),
        }
    }
}

// `Display` already states the cause, so `source()` does not repeat it:
// an error chain would print it twice.
impl std::error::Error for VerifyError {}
