//! API 2.0, `FlushOrPushOverall` (docs/protocol.md §1, §4): the validated
//! request ([`FlushOrPush`]) with its wire `command` and `type` ([`Command`],
//! [`UrlType`]), its ordered action parameters and their exact encoded size
//! ([`ActionParams`], [`ParamName`]), the server-side parser
//! ([`FlushOrPush::from_params`], for the emulator), the answer
//! ([`Envelope`]), the error catalogue ([`CommonCode`], [`ModuleCode`],
//! [`Retryability`]) and the limits (`limits.rs`: [`ACTION`],
//! [`ENDPOINT_HOST`], [`MAX_GET_REQUEST_TARGET_LEN`], [`MAX_FLUSH_URLS`], …).
//!
//! The API-neutral words, [`Operation`](crate::Operation) and
//! [`Areas`](crate::Areas), the URL types and the form encoding live at the
//! crate root; [`v3`](crate::v3) mirrors this module for API 3.0.

mod codes;
mod envelope;
mod limits;
mod parse;
mod request;
mod wire;

pub use codes::{CommonCode, ModuleCode, Retryability};
pub use envelope::{CodeDesc, Envelope, EnvelopeError, EnvelopeErrorKind};
pub use limits::{
    ACTION, ENDPOINT_HOST, ENDPOINT_PATH, MAX_FLUSH_DIRS, MAX_FLUSH_URLS,
    MAX_GET_REQUEST_TARGET_LEN, MAX_POST_BODY_LEN, MAX_PUSH_URLS,
};
pub use request::{Command, FlushOrPush, UrlType};
pub use wire::{ActionParams, ParamName};
