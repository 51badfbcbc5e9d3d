//! What both APIs' judges share of authentication: the hosts a signature
//! may have been made for, and the v1 signature (API 2.0's, and API 3.0's
//! `HmacSHA1`/`HmacSHA256`) checked against each.

use tcdn_sign::SecretKey;

/// The hosts a signature may have been made for: the `Host` received (and
/// without its port), then the public host.
pub(crate) fn host_candidates<'a>(received: Option<&'a str>, public: &'a str) -> Vec<&'a str> {
    let mut hosts = Vec::with_capacity(3);
    if let Some(host) = received {
        hosts.push(host);
        if let Some((bare, port)) = host.rsplit_once(':')
            && !bare.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
        {
            hosts.push(bare);
        }
    }
    if !hosts.contains(&public) {
        hosts.push(public);
    }
    hosts
}

/// Checks a v1 signature (`Signature` among `pairs`) against each of
/// [`host_candidates`]; the last failure, as text, when none matches.
pub(crate) fn verify_v1(
    key: &SecretKey,
    method: tcdn_sign::HttpMethod,
    received_host: Option<&str>,
    public_host: &str,
    path: &str,
    pairs: &[(&str, &str)],
) -> Result<(), String> {
    let mut last_error = None;
    for host in host_candidates(received_host, public_host) {
        let endpoint = tcdn_sign::Endpoint::new(method, host, path);
        match tcdn_sign::verify(key, &endpoint, pairs) {
            Ok(()) => return Ok(()),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.map_or_else(|| "signature mismatch".to_owned(), |e| e.to_string()))
}
