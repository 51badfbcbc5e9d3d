//! The text report's lines for URLs refused because of their host (a domain
//! not on the account, not the sub-account's, offline, a wildcard, an area
//! it does not serve): one line per host and code, naming the host and
//! saying what to do, however many URLs it had and wherever they were in
//! the input. JSON keeps one entry per URL.

use std::io::{self, Write};

use tcdn::model::v3::ErrorCode;
use tcdn::{CdnUrl, Failure, Operation, printable};

/// What to do about a refusal of `code` for a host; `None` when the code
/// is not about one host.
fn advice(code: &ErrorCode, operation: Operation) -> Option<&'static str> {
    Some(match code {
        ErrorCode::CdnHostNotExists => {
            "the domain is not on this account: add it in the CDN console, or use the \
             credentials of the account that has it"
        }
        ErrorCode::CdnHostUnauthorized => {
            "the sub-account may not act on this domain: grant it the domain in CAM"
        }
        ErrorCode::CdnHostInvalidStatus | ErrorCode::CdnHostIsNotOnline => {
            "the domain is not online: start it in the CDN console, or wait until it is deployed"
        }
        ErrorCode::CdnHostIsLocked => "the domain is locked: see the CDN console",
        ErrorCode::CdnPurgeWildcardNotAllowed | ErrorCode::CdnPushWildcardNotAllowed => {
            if operation == Operation::PushUrls {
                "a wildcard host cannot be pushed: list the URLs of its subdomains"
            } else {
                "a wildcard host cannot be purged: list the URLs of its subdomains"
            }
        }
        ErrorCode::CdnParamError => {
            "if an area was given (--mainland, --oversea), check that the domain is accelerated \
             there"
        }
        _ => return None,
    })
}

/// The host a failure's code is about (in lower case), and what to do, if
/// the code is about one.
fn refused_host(failure: &Failure, operation: Operation) -> Option<(String, &'static str)> {
    host_of(&failure.url, failure.error_code.as_deref(), operation)
}

fn host_of(
    url: &CdnUrl,
    code: Option<&str>,
    operation: Operation,
) -> Option<(String, &'static str)> {
    let advice = advice(&ErrorCode::from_code(code?), operation)?;
    Some((url.host().to_lowercase(), advice))
}

/// Splits `failed` into the failures about a host, grouped by host and
/// code in the order each first appears, and the others, in their order.
pub fn split(failed: &[Failure], operation: Operation) -> (Vec<Vec<&Failure>>, Vec<&Failure>) {
    let mut groups: Vec<(String, Option<String>, Vec<&Failure>)> = Vec::new();
    let mut rest = Vec::new();
    for failure in failed {
        let Some((host, _)) = refused_host(failure, operation) else {
            rest.push(failure);
            continue;
        };
        match groups
            .iter_mut()
            .find(|(h, code, _)| *h == host && *code == failure.error_code)
        {
            Some((_, _, group)) => group.push(failure),
            None => groups.push((host, failure.error_code.clone(), vec![failure])),
        }
    }
    (groups.into_iter().map(|(_, _, g)| g).collect(), rest)
}

/// Writes one line for a host's refused URLs (`group`, all of one host and
/// code): `host HOST (N URLs, CODE, request ID): MESSAGE; ADVICE`.
pub fn write_group(
    out: &mut impl Write,
    operation: Operation,
    noun: &str,
    group: &[&Failure],
) -> io::Result<()> {
    let Some(first) = group.first() else {
        return Ok(());
    };
    let (host, advice) = refused_host(first, operation).unwrap_or_default();
    let code = first.error_code.as_deref().unwrap_or_default();
    let request = first
        .request_id
        .as_deref()
        .map(|id| format!(", request {}", printable(id)))
        .unwrap_or_default();
    writeln!(
        out,
        "  host {} ({} {noun}, {}{request}): {}; {advice}",
        printable(&host),
        group.len(),
        printable(code),
        printable(&first.message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_codes_name_the_host_and_what_to_do() {
        let url: CdnUrl = "https://BAD.example:8443/1".parse().unwrap();
        let of = |code| host_of(&url, Some(code), Operation::FlushUrls);
        let (host, advice) = of("ResourceNotFound.CdnHostNotExists").unwrap();
        assert_eq!(host, "bad.example");
        assert!(advice.contains("add it in the CDN console"), "{advice}");
        assert!(
            of("UnauthorizedOperation.CdnHostUnauthorized")
                .unwrap()
                .1
                .contains("CAM")
        );
        assert!(
            of("InvalidParameter.CdnHostInvalidStatus")
                .unwrap()
                .1
                .contains("online")
        );
        assert!(
            of("InvalidParameter.CdnParamError")
                .unwrap()
                .1
                .contains("area")
        );
        let push = host_of(
            &url,
            Some("InvalidParameter.CdnPushWildcardNotAllowed"),
            Operation::PushUrls,
        );
        assert!(push.unwrap().1.contains("cannot be pushed"));
        for other in [
            "InternalError",
            "UnauthorizedOperation.CdnCamUnauthorized",
            "X",
        ] {
            assert_eq!(of(other), None, "{other}");
        }
        assert_eq!(host_of(&url, None, Operation::FlushUrls), None);
    }
}
