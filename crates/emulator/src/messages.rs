//! The words of every API 3.0 error the emulator answers, in Chinese and in
//! English: one catalogue, code → (zh-CN, en-US) (docs/protocol.md §12.5).
//!
//! The Chinese texts are those of the official Python SDK's
//! `errorcodes.py` and Tencent's common error page; the English ones are
//! Tencent's where docs/protocol.md §12 records them, else the emulator's
//! translation. A code not in the catalogue takes its family's text
//! (`InternalError.Anything` that of `InternalError`).

use tcdn_model::v3::{ApiError, ErrorCode};

/// The language a request asks its messages in: `X-TC-Language` (TC3) or
/// `Language` (v1). Chinese unless `en-US` is asked, as Tencent answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// `zh-CN`, the default.
    #[default]
    Chinese,
    /// `en-US`.
    English,
}

impl Language {
    /// The language of a request's `X-TC-Language` or `Language` value.
    pub fn from_wire(value: Option<&str>) -> Self {
        match value {
            Some(v) if v.trim().eq_ignore_ascii_case("en-US") => Self::English,
            _ => Self::Chinese,
        }
    }
}

impl Language {
    /// The language a request asks: its `X-TC-Language` header, else its
    /// `Language` parameter (v1: in the query of a GET or the form body of
    /// a POST).
    pub fn of_request(headers: &http::HeaderMap, query: Option<&str>, body: &[u8]) -> Self {
        if let Some(value) = headers.get("x-tc-language") {
            return Self::from_wire(value.to_str().ok());
        }
        let form = if headers.contains_key(http::header::AUTHORIZATION) {
            query.unwrap_or("").as_bytes()
        } else {
            match query {
                Some(query) if !query.is_empty() => query.as_bytes(),
                _ => body,
            }
        };
        let params = tcdn_model::decode_form(form).unwrap_or_default();
        let language = params.iter().find(|(name, _)| name == "Language");
        Self::from_wire(language.map(|(_, value)| value.as_str()))
    }
}

/// (code, Chinese, English).
const CATALOGUE: &[(&str, &str, &str)] = &[
    // Common to every action (Tencent's common error codes).
    (
        "AuthFailure",
        "CAM签名/鉴权错误。",
        "CAM signature or authentication error.",
    ),
    (
        "AuthFailure.InvalidAuthorization",
        "请求头部的 Authorization 不符合腾讯云标准。",
        "The Authorization header does not follow Tencent Cloud's standard.",
    ),
    (
        "AuthFailure.InvalidSecretId",
        "密钥非法（不是云 API 密钥类型）。",
        "Invalid key (not a TencentCloud API key type).",
    ),
    ("AuthFailure.MFAFailure", "MFA 错误。", "MFA failed."),
    (
        "AuthFailure.SecretIdNotFound",
        "密钥不存在。请在控制台检查密钥是否已被删除或者禁用，如状态正常，请检查密钥是否填写正确，注意前后不得有空格。",
        "The SecretId is not found. Please make sure that it is correct and enabled.",
    ),
    (
        "AuthFailure.SignatureExpire",
        "签名过期。Timestamp 和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。",
        "Signature expired: the timestamp must be within five minutes of the server's time. Check the local clock.",
    ),
    (
        "AuthFailure.SignatureFailure",
        "签名错误。签名计算错误，请对照调用方式中的签名方法文档检查签名计算过程。",
        "The provided credentials could not be validated. Please check your signature is correct.",
    ),
    ("AuthFailure.TokenFailure", "token 错误。", "Token error."),
    (
        "AuthFailure.UnauthorizedOperation",
        "请求未授权。请参考 CAM 文档对鉴权的说明。",
        "The request is not authorized. See the CAM documentation.",
    ),
    (
        "DryRunOperation",
        "DryRun 操作，代表请求将会是成功的，只是多传了 DryRun 参数。",
        "DryRun operation: the request would have succeeded.",
    ),
    ("FailedOperation", "操作失败。", "Operation failed."),
    ("InternalError", "内部错误。", "Internal error."),
    ("InvalidAction", "接口不存在。", "The API does not exist."),
    ("InvalidParameter", "参数错误。", "Invalid parameter."),
    (
        "InvalidParameterValue",
        "参数取值错误。",
        "Invalid parameter value.",
    ),
    (
        "LimitExceeded",
        "超过配额限制。",
        "The quota limit is exceeded.",
    ),
    (
        "MissingParameter",
        "缺少参数错误。",
        "A required parameter is missing.",
    ),
    (
        "NoSuchVersion",
        "接口版本不存在。",
        "The API version does not exist.",
    ),
    ("OperationDenied", "操作被拒绝。", "Operation denied."),
    (
        "RequestLimitExceeded",
        "请求的次数超过了频率限制。",
        "The number of requests exceeds the frequency limit.",
    ),
    ("ResourceInUse", "资源被占用。", "The resource is in use."),
    (
        "ResourceInsufficient",
        "资源不足。",
        "Insufficient resources.",
    ),
    (
        "ResourceNotFound",
        "资源不存在。",
        "The resource does not exist.",
    ),
    (
        "ResourceUnavailable",
        "资源不可用。",
        "The resource is unavailable.",
    ),
    (
        "UnauthorizedOperation",
        "未授权操作。",
        "Unauthorized operation.",
    ),
    ("UnknownParameter", "未知参数错误。", "Unknown parameter."),
    (
        "UnsupportedOperation",
        "操作不支持。",
        "Unsupported operation.",
    ),
    (
        "UnsupportedProtocol",
        "HTTP(S) 请求协议错误，只支持 GET 和 POST 请求。",
        "HTTP(S) request protocol error: only GET and POST are supported.",
    ),
    (
        "UnsupportedRegion",
        "接口不支持所传地域。",
        "The API does not support the region.",
    ),
    // CDN (docs/protocol.md §12.1 and §12.2; the limits of §5.3).
    (
        "FailedOperation.CdnConfigError",
        "域名配置更新操作失败，请重试或联系客服人员解决。",
        "Failed to update the domain name configuration. Please submit a ticket for troubleshooting.",
    ),
    (
        "InternalError.CamSystemError",
        "内部鉴权系统错误。",
        "Authentication system internal error.",
    ),
    (
        "InternalError.CdnConfigError",
        "域名配置更新失败。",
        "Failed to update the domain name configuration.",
    ),
    (
        "InternalError.CdnDbError",
        "内部数据错误，请联系腾讯云工程师进一步排查。",
        "Internal data error. Please submit a ticket for troubleshooting.",
    ),
    (
        "InternalError.CdnQueryParamError",
        "内部查询错误，请重试或联系客服人员解决。",
        "Internal error. Please try again or contact the customer service for assistance.",
    ),
    (
        "InternalError.CdnQuerySystemError",
        "内部查询错误，请重试或联系客服人员解决。",
        "Internal error. Please try again or contact the customer service for assistance.",
    ),
    (
        "InternalError.CdnSystemError",
        "系统错误，请联系腾讯云工程师进一步排查。",
        "System error. Please submit a ticket for troubleshooting.",
    ),
    (
        "InternalError.Error",
        "内部服务错误，请联系腾讯云工程师进一步排查。",
        "Service internal error. Please submit a ticket for troubleshooting.",
    ),
    (
        "InternalError.ProxyServer",
        "内部服务错误，请联系腾讯云工程师进一步排查。",
        "Internal service error. Please submit a ticket for troubleshooting.",
    ),
    (
        "InternalError.RouteError",
        "内部服务错误，请联系腾讯云工程师进一步排查。",
        "Internal service error. Please submit a ticket for troubleshooting.",
    ),
    (
        "InternalError.UnknownError",
        "内部服务错误，请联系腾讯云工程师进一步排查。",
        "Internal service error. Please submit a ticket for troubleshooting.",
    ),
    (
        "InvalidParameter.CdnHostInvalidMiddleConfig",
        "错误的中间源配置。",
        "Invalid middle-tier origin configuration.",
    ),
    (
        "InvalidParameter.CdnHostInvalidParam",
        "域名格式不合法，请确认后重试。",
        "Invalid domain name format. Please check and try again.",
    ),
    (
        "InvalidParameter.CdnHostInvalidStatus",
        "域名状态不合法。",
        "Invalid domain name status.",
    ),
    (
        "InvalidParameter.CdnInterfaceError",
        "内部接口错误，请联系腾讯云工程师进一步排查。",
        "Internal API error. Please submit a ticket for troubleshooting.",
    ),
    (
        "InvalidParameter.CdnParamError",
        "参数错误，请参考文档中示例参数填充。",
        "Parameter error. Please see the sample parameters in the documentation.",
    ),
    (
        "InvalidParameter.CdnPurgeWildcardNotAllowed",
        "刷新不支持泛域名。",
        "Cache purge does not support wildcard domain names.",
    ),
    (
        "InvalidParameter.CdnPushWildcardNotAllowed",
        "预热不支持泛域名。",
        "Prefetch does not support wildcard domain names.",
    ),
    (
        "InvalidParameter.CdnStatInvalidDate",
        "日期不合法，请参考文档中日期示例。",
        "Invalid date. Please see the sample date in the documentation.",
    ),
    (
        "InvalidParameter.CdnStatInvalidProjectId",
        "项目ID错误，请确认后重试。",
        "Incorrect project ID. Please check and try again.",
    ),
    (
        "InvalidParameter.CdnUrlExceedLength",
        "URL 超过限制长度。",
        "The URL exceeds the length limit.",
    ),
    (
        "LimitExceeded.CdnHostOpTooOften",
        "域名操作过于频繁。",
        "Domain name operations are too frequent.",
    ),
    (
        "LimitExceeded.CdnPurgeExceedBatchLimit",
        "刷新的Url数量超过每批提交的限制。",
        "The number of URLs to purge exceeds the batch limit.",
    ),
    (
        "LimitExceeded.CdnPurgeExceedDayLimit",
        "刷新的Url数量超过每日限额。",
        "The number of URLs to purge exceeds the daily limit.",
    ),
    (
        "LimitExceeded.CdnPurgePathExceedBatchLimit",
        "刷新的目录数量超过限制。",
        "The number of directories to purge exceeds the limit.",
    ),
    (
        "LimitExceeded.CdnPurgePathExceedDayLimit",
        "刷新的目录数量超过每日限制。",
        "The number of directories to purge exceeds the daily limit.",
    ),
    (
        "LimitExceeded.CdnPurgeUrlExceedBatchLimit",
        "刷新的Url数量超过限制。",
        "The number of URLs to purge exceeds the limit.",
    ),
    (
        "LimitExceeded.CdnPurgeUrlExceedDayLimit",
        "刷新的Url数量超过每日限额。",
        "The number of URLs to purge exceeds the daily limit.",
    ),
    (
        "LimitExceeded.CdnPushExceedBatchLimit",
        "预热的Url数量超过单次限制。",
        "The number of URLs to prefetch exceeds the limit of one call.",
    ),
    (
        "LimitExceeded.CdnPushExceedDayLimit",
        "预热的Url数量超过每日限制。",
        "The number of URLs to prefetch exceeds the daily limit.",
    ),
    (
        "ResourceInUse.CdnOpInProgress",
        "CDN资源正在被操作中。",
        "The CDN resource is being operated on.",
    ),
    (
        "ResourceNotFound.CdnHostNotExists",
        "未查询到该域名，请确认域名是否正确。",
        "Unable to find the domain name. Please make sure the domain name is correct.",
    ),
    (
        "ResourceNotFound.CdnUserNotExists",
        "未开通CDN服务，请开通后使用此接口。",
        "The CDN service has not been activated. Please activate it first before using this API.",
    ),
    (
        "ResourceUnavailable.CdnHostIsLocked",
        "域名被锁定。",
        "The domain name is locked.",
    ),
    (
        "ResourceUnavailable.CdnHostIsNotOnline",
        "域名已下线，无法提交预热。",
        "The domain name has been deactivated. Prefetch requests cannot be submitted.",
    ),
    (
        "UnauthorizedOperation.CdnCamUnauthorized",
        "子账号未配置cam策略。",
        "No CAM policy is configured for the sub-account.",
    ),
    (
        "UnauthorizedOperation.CdnHostUnauthorized",
        "CDN子账号加速域名未授权。",
        "The sub-account has no access to the CDN-accelerated domain name.",
    ),
    (
        "UnauthorizedOperation.CdnUserAuthFail",
        "CDN用户认证失败。",
        "CDN user authentication failed.",
    ),
    (
        "UnauthorizedOperation.CdnUserAuthWait",
        "CDN用户待认证。",
        "CDN user authentication is pending.",
    ),
    (
        "UnauthorizedOperation.CdnUserIsSuspended",
        "加速服务已停服，请重启加速服务后重试。",
        "The CDN service has been suspended. Please restart it and try again.",
    ),
    (
        "UnauthorizedOperation.CdnUserNoWhitelist",
        "非内测白名单用户，无该功能使用权限。",
        "The account is not on the beta whitelist of this feature.",
    ),
    (
        "UnauthorizedOperation.EcdnMigratedCdn",
        "请前往CDN控制台进行操作。",
        "Please operate in the CDN console.",
    ),
    (
        "UnauthorizedOperation.OpNoAuth",
        "暂不支持此操作，请联系腾讯云工程师处理。",
        "This operation is not supported yet. Please submit a ticket.",
    ),
    (
        "UnauthorizedOperation.OperationTooOften",
        "操作超出调用频次限制。",
        "The call frequency limit is exceeded.",
    ),
];

/// The catalogue's (Chinese, English) of `code`, else of its family, else
/// a sentence of the emulator's.
fn texts(code: &str) -> (&'static str, &'static str) {
    let find = |wanted: &str| CATALOGUE.iter().find(|(c, _, _)| *c == wanted);
    let family = code.split('.').next().unwrap_or(code);
    find(code).or_else(|| find(family)).map_or(
        ("请求无法处理。", "The request could not be processed."),
        |&(_, zh, en)| (zh, en),
    )
}

/// The English text of `code`.
pub(crate) fn english(code: &ErrorCode) -> &'static str {
    texts(code.as_str()).1
}

/// An error's message in `language`. In English it is the message as the
/// emulator wrote it. In Chinese it is the catalogue's text, followed in
/// parentheses by what the English message says beyond the catalogue's
/// English text (a field, a host), so nothing is lost.
pub(crate) fn localize(error: ApiError, language: Language) -> ApiError {
    if language == Language::English {
        return error;
    }
    let (zh, en) = texts(error.code().as_str());
    let detail = error
        .message()
        .strip_prefix(en)
        .unwrap_or(error.message())
        .trim();
    let detail = detail
        .strip_prefix('(')
        .and_then(|d| d.strip_suffix(')'))
        .unwrap_or(detail);
    let message = if detail.is_empty() {
        zh.to_owned()
    } else {
        format!("{zh}（{detail}）")
    };
    ApiError::new(error.code().clone(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogued_code_has_both_texts_once() {
        for (i, (code, zh, en)) in CATALOGUE.iter().enumerate() {
            assert!(!zh.is_empty() && !en.is_empty(), "{code}");
            assert!(!zh.is_ascii(), "{code}: the Chinese text is ASCII");
            assert!(en.is_ascii(), "{code}: the English text is not ASCII");
            assert!(
                CATALOGUE[i + 1..].iter().all(|(other, _, _)| other != code),
                "{code} twice"
            );
        }
        // Every code tcdn's model knows has words of its own or its family's.
        for code in ErrorCode::KNOWN {
            let family = code.as_str().split('.').next().unwrap_or("");
            assert!(
                CATALOGUE
                    .iter()
                    .any(|(c, _, _)| *c == code.as_str() || *c == family),
                "{code}"
            );
        }
    }

    #[test]
    fn chinese_unless_english_is_asked() {
        assert_eq!(Language::from_wire(None), Language::Chinese);
        assert_eq!(Language::from_wire(Some("zh-CN")), Language::Chinese);
        assert_eq!(Language::from_wire(Some("en-us")), Language::English);
        let host = ApiError::new(
            ErrorCode::CdnHostNotExists,
            format!("{} (a.example)", english(&ErrorCode::CdnHostNotExists)),
        );
        let zh = localize(host.clone(), Language::Chinese);
        assert_eq!(
            zh.message(),
            "未查询到该域名，请确认域名是否正确。（a.example）"
        );
        assert_eq!(localize(host.clone(), Language::English), host);
        let field = ApiError::new(ErrorCode::MissingParameter, "the parameter Urls is missing");
        assert_eq!(
            localize(field, Language::Chinese).message(),
            "缺少参数错误。（the parameter Urls is missing）"
        );
        let plain = ApiError::new(ErrorCode::from_code("InternalError.New"), "Internal error.");
        assert_eq!(localize(plain, Language::Chinese).message(), "内部错误。");
        assert_eq!(
            english(&ErrorCode::from_code("Weird.Code")),
            "The request could not be processed."
        );
    }
}
