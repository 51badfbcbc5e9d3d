//! The two hash choices, the two HTTP methods, and the endpoint a request is signed for.

use core::fmt;

/// The hash of the HMAC, chosen by the request's `SignatureMethod` parameter.
///
/// The server's rule (docs/protocol.md §1.2): HmacSHA256 **only** when the parameter
/// is exactly `HmacSHA256`; any other value, or no parameter at all, means
/// HmacSHA1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignatureMethod {
    /// HMAC-SHA1, 20-byte MAC, 28 Base64 characters. The default.
    #[default]
    HmacSha1,
    /// HMAC-SHA256, 32-byte MAC, 44 Base64 characters.
    HmacSha256,
}

impl SignatureMethod {
    /// The value of the `SignatureMethod` parameter: `HmacSHA1` or `HmacSHA256`.
    pub const fn as_param(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HmacSHA1",
            Self::HmacSha256 => "HmacSHA256",
        }
    }

    /// The method the server uses for a request whose `SignatureMethod`
    /// parameter is `value` (`None` when the request has none).
    ///
    /// ```
    /// use tcdn_sign::SignatureMethod;
    /// assert_eq!(SignatureMethod::from_param(Some("HmacSHA256")), SignatureMethod::HmacSha256);
    /// assert_eq!(SignatureMethod::from_param(Some("hmacsha256")), SignatureMethod::HmacSha1);
    /// assert_eq!(SignatureMethod::from_param(None), SignatureMethod::HmacSha1);
    /// ```
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some("HmacSHA256") => Self::HmacSha256,
            _ => Self::HmacSha1,
        }
    }

    /// Length of the Base64 signature, padding included.
    pub(crate) const fn base64_len(self) -> usize {
        match self {
            Self::HmacSha1 => 28,
            Self::HmacSha256 => 44,
        }
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_param())
    }
}

/// The HTTP method, which is part of the string to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`: parameters in the query string.
    Get,
    /// `POST`: parameters in an `application/x-www-form-urlencoded` body.
    Post,
}

impl HttpMethod {
    /// `GET` or `POST`, as it appears in the string to sign.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Host of the CDN API 2.0 endpoint.
pub const CDN_V2_HOST: &str = "cdn.api.qcloud.com";
/// Path of the CDN API 2.0 endpoint.
pub const CDN_V2_PATH: &str = "/v2/index.php";
/// Host of the CDN API 3.0 endpoint (Version `2018-06-06`).
pub const CDN_V3_HOST: &str = "cdn.tencentcloudapi.com";
/// Path of every API 3.0 endpoint.
pub const CDN_V3_PATH: &str = "/";

/// What the request is sent to: the HTTP method, host and path that open the
/// string to sign (`METHOD + host + path + "?"`).
///
/// The host has no scheme and no port, and the path is the one on the wire
/// (`/v2/index.php` for API 2.0, `/` for API 3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint<'a> {
    /// `GET` or `POST`.
    pub method: HttpMethod,
    /// Host name, e.g. `cdn.api.qcloud.com`.
    pub host: &'a str,
    /// Path, e.g. `/v2/index.php`.
    pub path: &'a str,
}

impl<'a> Endpoint<'a> {
    /// An endpoint from its parts.
    pub const fn new(method: HttpMethod, host: &'a str, path: &'a str) -> Self {
        Self { method, host, path }
    }
}

impl Endpoint<'static> {
    /// `https://cdn.api.qcloud.com/v2/index.php` with the given method.
    pub const fn cdn_v2(method: HttpMethod) -> Self {
        Self::new(method, CDN_V2_HOST, CDN_V2_PATH)
    }

    /// `https://cdn.tencentcloudapi.com/` with the given method: where API
    /// 3.0 requests with the "v1" signature (HmacSHA1/HmacSHA256) are signed
    /// for (docs/protocol.md §5.1, vector §2.6).
    pub const fn cdn_v3(method: HttpMethod) -> Self {
        Self::new(method, CDN_V3_HOST, CDN_V3_PATH)
    }
}
