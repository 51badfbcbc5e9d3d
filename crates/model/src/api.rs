//! [`Api`]: API 2.0 or API 3.0, by name (`v2`, `v3`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Which of Tencent Cloud CDN's two APIs a request speaks: the client's
/// choice and the emulator's record of what it served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Api {
    /// API 2.0, `FlushOrPushOverall` on `cdn.api.qcloud.com` (retired by
    /// Tencent in 2022; the emulator serves it).
    #[serde(rename = "v2")]
    V2,
    /// API 3.0 (`PurgeUrlsCache`, `PurgePathCache`, `PushUrlsCache` and the
    /// queries) on `cdn.tencentcloudapi.com`: the default.
    #[default]
    #[serde(rename = "v3")]
    V3,
}

impl Api {
    /// `v2` or `v3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2 => "v2",
            Self::V3 => "v3",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not `v2` or `v3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownApi(String);

impl fmt::Display for UnknownApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown API {:?}: choose v3 (API 3.0) or v2 (API 2.0)",
            self.0
        )
    }
}

impl std::error::Error for UnknownApi {}

impl FromStr for Api {
    type Err = UnknownApi;

    fn from_str(text: &str) -> Result<Self, UnknownApi> {
        match text {
            "v2" | "2" => Ok(Self::V2),
            "v3" | "3" => Ok(Self::V3),
            other => Err(UnknownApi(other.to_owned())),
        }
    }
}
