//! Checks for `tcdn_emulator::Emulator::judge_v2`: arbitrary requests, and real
//! signed requests with some of their bytes changed.
//!
//! Standalone (it names no other module of this crate), so the emulator
//! crate's `tests/fuzz_regressions.rs` includes this very file to replay the
//! corpus.

use std::sync::Arc;

use tcdn_emulator::{Config, Credential, Emulator, InboundV2, ManualClock, VerdictV2};
use tcdn_model::v2::{Envelope, FlushOrPush};
use tcdn_model::{Areas, CdnUrl, Operation, append_form, decode_form};
use tcdn_sign::{Endpoint, HttpMethod, SecretKey, SignatureMethod};

/// The one credential the fuzzed emulator knows.
pub const SECRET_ID: &str = "AKIDfuzzEmulator";
/// Its secret key.
pub const SECRET_KEY: &str = "fuzz-emulator-secret-key";
/// The emulator's (stopped) clock, Unix seconds.
pub const NOW: i64 = 1_700_000_000;
/// The request path.
pub const PATH: &str = "/v2/index.php";
/// The boundary of the multipart bodies built here.
pub const BOUNDARY: &str = "tcdnFuzzBoundary";

/// A fresh emulator that knows [`SECRET_ID`], stopped at [`NOW`].
pub fn emulator() -> Emulator {
    let config = Config::new(vec![Credential::new(SECRET_ID, SECRET_KEY)]);
    Emulator::with_clock(config, Arc::new(ManualClock::at(NOW)))
}

/// An owned request as the emulator receives it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The HTTP method.
    pub method: http::Method,
    /// The `Host` header.
    pub host: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// Decodes an arbitrary input: the first line is `METHOD [HOST]`, the
    /// second the content type (empty: none), the third the query (empty:
    /// none), and the rest, newlines included, the body.
    pub fn decode(data: &[u8]) -> Self {
        let mut parts = data.splitn(4, |&b| b == b'\n');
        let head = String::from_utf8_lossy(parts.next().unwrap_or(b""));
        let content_type = String::from_utf8_lossy(parts.next().unwrap_or(b"")).into_owned();
        let query = String::from_utf8_lossy(parts.next().unwrap_or(b"")).into_owned();
        let body = parts.next().unwrap_or(b"").to_vec();
        let (method, host) = head.split_once(' ').unwrap_or((&head, ""));
        Self {
            method: http::Method::from_bytes(method.as_bytes()).unwrap_or(http::Method::GET),
            host: (!host.is_empty()).then(|| host.to_owned()),
            content_type: (!content_type.is_empty()).then_some(content_type),
            query: (!query.is_empty()).then_some(query),
            body,
        }
    }

    /// Judges this request.
    pub fn judge(&self, emulator: &Emulator) -> VerdictV2 {
        let target_len = PATH.len() + self.query.as_ref().map_or(0, |q| 1 + q.len());
        emulator.judge_v2(InboundV2 {
            method: &self.method,
            path: PATH,
            query: self.query.as_deref(),
            host: self.host.as_deref(),
            content_type: self.content_type.as_deref(),
            body: &self.body,
            target_len,
        })
    }
}

/// What every verdict must look like: an envelope with the same code when
/// the status is 200, plain text otherwise.
fn check_verdict_shape(verdict: &VerdictV2) {
    if verdict.status == http::StatusCode::OK {
        let code = verdict.code.expect("a 200 answer carries a code");
        let envelope = Envelope::from_slice(verdict.body.as_bytes())
            .unwrap_or_else(|e| panic!("the answer is not an envelope: {e}"));
        assert_eq!(envelope.code(), code);
        assert_eq!(verdict.accepted.is_some(), code == 0, "{verdict:?}");
    } else {
        assert_eq!(verdict.code, None, "{verdict:?}");
        assert_eq!(verdict.accepted, None, "{verdict:?}");
    }
}

/// Judges an arbitrary request ([`Request::decode`]); the answer is well
/// formed, and an accepted request is accepted again by a fresh emulator and
/// refused as a replay by the same one.
pub fn check_raw(data: &[u8]) {
    let request = Request::decode(data);
    let emulator = emulator();
    let verdict = request.judge(&emulator);
    check_verdict_shape(&verdict);
    if verdict.accepted.is_some() {
        assert_eq!(emulator.tasks().len(), 1);
        let fresh = request.judge(&self::emulator());
        assert_eq!(fresh.code, Some(0), "judging is deterministic: {fresh:?}");
        let replay = request.judge(&emulator);
        assert_eq!(replay.code, Some(4500), "a replay is refused: {replay:?}");
    } else {
        assert!(emulator.tasks().is_empty());
    }
}

/// How a signed request travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// GET, signed for the `Host` received.
    Get,
    /// POST with an `application/x-www-form-urlencoded` body.
    PostForm,
    /// POST with a `multipart/form-data` body.
    PostMultipart,
    /// GET with `Host: 127.0.0.1:8080`, signed for the public host.
    GetPublicHost,
}

/// URLs the signed requests are made of: those of the vectors in
/// docs/protocol.md §3, and a few with characters that the form encoding must
/// carry.
pub const URL_PALETTE: &[&str] = &[
    "https://www.example.com/a.jpg?x=1&y=2",
    "https://www.example.com/my%20file.png",
    "https://www.example.com/图片/猫.jpg",
    "http://www.example.com/a+b/",
    "https://cdn.example.com/c++/a~b.js?q=a+b%20c",
    "HTTPS://[::1]:8443/x_y.z",
    "https://a.example/",
    "https://a.example/?k=v=w&%26",
];

/// A signed request and the bytes that carry its parameters.
#[derive(Debug, Clone)]
pub struct Signed {
    /// How it travels.
    pub transport: Transport,
    /// The request it carries.
    pub request: FlushOrPush,
    /// Every parameter, `Signature` included, with raw values.
    pub params: Vec<(String, String)>,
    /// The query (GET) or body (POST) bytes.
    pub wire: Vec<u8>,
}

impl Signed {
    /// Builds a signed request from the first bytes of `data`; returns it
    /// and the rest of `data`.
    ///
    /// Byte 0: bits 0-1 the [`Transport`], bit 2 HmacSHA256, bits 3-4 the
    /// operation, bits 5-6 the areas, bit 7 extra common parameters
    /// (`RequestClient`, `Token`). Byte 1: the number of URLs (1 to 12),
    /// then one byte per URL choosing from [`URL_PALETTE`] (a URL chosen
    /// twice gets a `/N` suffix).
    pub fn decode(data: &[u8]) -> (Self, &[u8]) {
        let (&flags, rest) = data.split_first().unwrap_or((&0, &[]));
        let (&count, mut rest) = rest.split_first().unwrap_or((&0, &[]));
        let transport = match flags & 3 {
            0 => Transport::Get,
            1 => Transport::PostForm,
            2 => Transport::PostMultipart,
            _ => Transport::GetPublicHost,
        };
        let signature_method = if flags & 4 != 0 {
            SignatureMethod::HmacSha256
        } else {
            SignatureMethod::HmacSha1
        };
        let operation = Operation::ALL[usize::from(flags >> 3 & 3) % 3];
        let areas = match flags >> 5 & 3 {
            0 => Areas::Mainland,
            1 => Areas::Oversea,
            _ => Areas::Both,
        };
        let mut urls: Vec<CdnUrl> = Vec::new();
        for index in 0..1 + usize::from(count) % 12 {
            let (&choice, tail) = rest.split_first().unwrap_or((&0, &[]));
            rest = tail;
            let base = URL_PALETTE[usize::from(choice) % URL_PALETTE.len()];
            let text = if urls.iter().any(|u| u.as_str() == base) {
                format!("{base}/{index}")
            } else {
                base.to_owned()
            };
            urls.push(CdnUrl::parse(&text).expect("palette URLs are valid"));
        }
        let request =
            FlushOrPush::new(operation, areas, urls).expect("at most 12 distinct URLs fit");
        let signed = Self::sign(transport, signature_method, flags & 0x80 != 0, request);
        (signed, rest)
    }

    fn sign(
        transport: Transport,
        signature_method: SignatureMethod,
        extras: bool,
        request: FlushOrPush,
    ) -> Self {
        let mut params: Vec<(String, String)> = request
            .action_params()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_owned()))
            .collect();
        for (name, value) in [
            ("Nonce", "1"),
            ("Timestamp", &NOW.to_string()),
            ("SecretId", SECRET_ID),
            ("SignatureMethod", signature_method.as_param()),
        ] {
            params.push((name.to_owned(), value.to_owned()));
        }
        if extras {
            params.push(("RequestClient".to_owned(), "SDK_PYTHON_2.0.15".to_owned()));
            params.push(("Token".to_owned(), "session_token+/=".to_owned()));
        }
        let (method, host) = match transport {
            Transport::Get => (HttpMethod::Get, "127.0.0.1"),
            Transport::PostForm | Transport::PostMultipart => (HttpMethod::Post, "127.0.0.1"),
            Transport::GetPublicHost => (HttpMethod::Get, tcdn_sign::CDN_V2_HOST),
        };
        let key = SecretKey::from(SECRET_KEY);
        let signature = tcdn_sign::sign(&key, &Endpoint::new(method, host, PATH), &params)
            .expect("distinct names sign");
        params.push(("Signature".to_owned(), signature.as_str().to_owned()));
        let wire = match transport {
            Transport::PostMultipart => {
                let mut body = String::new();
                for (name, value) in &params {
                    body.push_str(&format!(
                        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                    ));
                }
                body.push_str(&format!("--{BOUNDARY}--\r\n"));
                body.into_bytes()
            }
            _ => {
                let mut form = String::new();
                append_form(&mut form, params.iter().map(|(k, v)| (k, v)));
                form.into_bytes()
            }
        };
        Self {
            transport,
            request,
            params,
            wire,
        }
    }

    /// The request as received with `wire` as its query or body; `None`
    /// when a query would not be text.
    pub fn inbound(&self, wire: &[u8]) -> Option<Request> {
        let (method, host, content_type, query, body) = match self.transport {
            Transport::Get => (http::Method::GET, "127.0.0.1", None, Some(wire), &[][..]),
            Transport::GetPublicHost => (
                http::Method::GET,
                "127.0.0.1:8080",
                None,
                Some(wire),
                &[][..],
            ),
            Transport::PostForm => (
                http::Method::POST,
                "127.0.0.1",
                Some("application/x-www-form-urlencoded".to_owned()),
                None,
                wire,
            ),
            Transport::PostMultipart => (
                http::Method::POST,
                "127.0.0.1",
                Some(format!("multipart/form-data; boundary={BOUNDARY}")),
                None,
                wire,
            ),
        };
        let query = match query {
            Some(bytes) => Some(String::from_utf8(bytes.to_vec()).ok()?),
            None => None,
        };
        Some(Request {
            method,
            host: Some(host.to_owned()),
            content_type,
            query,
            body: body.to_vec(),
        })
    }
}

/// Applies an edit script to `wire`: 4 bytes per edit, `[op, pos_lo,
/// pos_hi, value]`; op % 4 is overwrite, insert, delete one byte, or delete
/// `value % 8 + 1` bytes, at `pos % (len + 1)`.
pub fn mutate(wire: &[u8], script: &[u8]) -> Vec<u8> {
    let mut out = wire.to_vec();
    for edit in script.chunks_exact(4) {
        let pos = usize::from(u16::from_le_bytes([edit[1], edit[2]])) % (out.len() + 1);
        let value = edit[3];
        match edit[0] % 4 {
            0 if pos < out.len() => out[pos] = value,
            1 => out.insert(pos, value),
            2 if pos < out.len() => {
                out.remove(pos);
            }
            3 => {
                let end = (pos + usize::from(value % 8) + 1).min(out.len());
                out.drain(pos..end);
            }
            _ => {}
        }
    }
    out
}

/// Names as the signature reads them (`_` as `.`), sorted with their values.
fn folded_sorted(params: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.replace('_', "."), v.clone()))
        .collect();
    out.sort();
    out
}

/// Builds a signed request from `data` ([`Signed::decode`]), applies the
/// rest of `data` as an edit script ([`mutate`]) and judges it: the
/// untouched request is accepted, and a changed one only when its decoded
/// parameters (names read as the signature reads them) and the accepted
/// task are unchanged, or when the change is the protocol's own `&`
/// ambiguity (see the comment inside).
pub fn check_signed(data: &[u8]) {
    let (signed, script) = Signed::decode(data);

    let pristine = signed
        .inbound(&signed.wire)
        .expect("our own wire form is text");
    let verdict = pristine.judge(&emulator());
    assert_eq!(verdict.code, Some(0), "the untouched request: {verdict:?}");

    let wire = mutate(&signed.wire, script);
    let Some(request) = signed.inbound(&wire) else {
        return;
    };
    let emulator = emulator();
    let verdict = request.judge(&emulator);
    check_verdict_shape(&verdict);
    if verdict.accepted.is_none() {
        return;
    }
    let shown = String::from_utf8_lossy(&wire);
    if signed.transport != Transport::PostMultipart {
        let decoded = decode_form(&wire).expect("an accepted form decodes");
        if folded_sorted(&decoded) != folded_sorted(&signed.params) {
            // The one way to change what a v2 request says without the key
            // (docs/protocol.md §3): values are joined raw with `&`, so a
            // value holding `&name=value` can be split into two parameters
            // that sign the same bytes. Tolerated only in exactly that shape.
            assert!(
                signed.params.iter().any(|(_, v)| v.contains('&'))
                    && canonical(&decoded) == canonical(&signed.params),
                "accepted changed parameters: {shown}"
            );
            return;
        }
    }
    let tasks = emulator.tasks();
    let task = tasks.last().expect("an accepted request is listed");
    let original = &signed.request;
    let areas: Vec<&str> = [
        original.areas().mainland().then_some("mainland"),
        original.areas().oversea().then_some("oversea"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let urls: Vec<&str> = original.urls().iter().map(CdnUrl::as_str).collect();
    assert_eq!(
        (task.command.as_str(), task.url_type.as_str()),
        (
            original.operation().command().as_str(),
            original.operation().url_type().as_str()
        ),
        "accepted a changed operation: {shown}"
    );
    assert_eq!(task.areas, areas, "accepted changed areas: {shown}");
    assert_eq!(task.urls, urls, "accepted changed URLs: {shown}");
}

/// The canonical parameter string, built naively (fold `_`, sort, join
/// `name=value` with `&`), `Signature` left out.
fn canonical(params: &[(String, String)]) -> String {
    folded_sorted(params)
        .iter()
        .filter(|(name, _)| name != "Signature")
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}
