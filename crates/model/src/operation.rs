//! What a user asks for, in either API: an [`Operation`] (flush URLs, flush
//! directories, push URLs) and the [`Areas`] it covers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, ModelErrorKind};

/// What a request does: purge URLs, purge directories, or prefetch URLs. A
/// push (prefetch) of directories has no variant because neither API
/// supports it. API 2.0 writes it as its `command` and `type`
/// ([`crate::v2::Command`], [`crate::v2::UrlType`]); API 3.0 as one of its
/// three actions.
///
/// Serialized as `flush_urls`, `flush_dirs` or `push_urls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Purge resource URLs (`command=flush&type=url`).
    FlushUrls,
    /// Purge directories (`command=flush&type=dir`).
    FlushDirs,
    /// Prefetch resource URLs (`command=push&type=url`).
    PushUrls,
}

impl Operation {
    /// Every operation, in declaration order.
    pub const ALL: [Self; 3] = [Self::FlushUrls, Self::FlushDirs, Self::PushUrls];

    /// The serialized name (`flush_urls`, `flush_dirs`, `push_urls`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FlushUrls => "flush_urls",
            Self::FlushDirs => "flush_dirs",
            Self::PushUrls => "push_urls",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where to flush or push: mainland China, outside it, or both; never neither.
///
/// Serialized as `mainland`, `oversea` (alias `overseas`) or `both`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Areas {
    /// Mainland China only (`mainland=1`).
    Mainland,
    /// Outside mainland China only (`oversea=1`).
    #[serde(alias = "overseas")]
    Oversea,
    /// Both (`mainland=1&oversea=1`).
    Both,
}

impl Areas {
    /// Builds from the two wire flags; neither is refused with
    /// [`ModelErrorKind::NoArea`].
    pub fn from_flags(mainland: bool, oversea: bool) -> Result<Self, ModelError> {
        match (mainland, oversea) {
            (true, false) => Ok(Self::Mainland),
            (false, true) => Ok(Self::Oversea),
            (true, true) => Ok(Self::Both),
            (false, false) => Err(ModelError::new(
                ModelErrorKind::NoArea,
                "no area chosen: choose mainland, oversea or both",
            )),
        }
    }

    /// Whether mainland China is included.
    pub const fn mainland(self) -> bool {
        matches!(self, Self::Mainland | Self::Both)
    }

    /// Whether the area outside mainland China is included.
    pub const fn oversea(self) -> bool {
        matches!(self, Self::Oversea | Self::Both)
    }

    /// The serialized name (`mainland`, `oversea`, `both`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mainland => "mainland",
            Self::Oversea => "oversea",
            Self::Both => "both",
        }
    }
}

impl fmt::Display for Areas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
