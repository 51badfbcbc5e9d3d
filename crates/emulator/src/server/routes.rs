//! The router: the identity services, the two APIs, the `/_emulator/*`
//! endpoints answered whole; and a judged request turned into its answer.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;

use super::faults::Closed;
use super::{Emulator, closing};
use crate::api::{self, Verdict};
use crate::config::{API_PATH, API3_PATH};
use crate::identity;
use crate::response::{json_response, text_response};
use crate::state::Api;

impl Emulator {
    pub(super) async fn handle(
        self,
        request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Full<Bytes>>, Closed> {
        if let Some(route) = identity::route(&request) {
            return Ok(identity::serve(&self, route, request).await);
        }
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        match (method, path.as_str()) {
            (Method::GET | Method::POST, API_PATH) => self.serve_api(Api::V2, request, peer).await,
            (_, API3_PATH) => self.serve_api(Api::V3, request, peer).await,
            (Method::GET, "/_emulator/stats") => Ok(json_response(
                StatusCode::OK,
                &serde_json::to_string(&self.stats()).unwrap_or_default(),
            )),
            (Method::GET, "/_emulator/ca.pem") => Ok(match self.ca_pem() {
                Some(pem) => {
                    let mut response = text_response(StatusCode::OK, pem);
                    response.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/x-pem-file"),
                    );
                    response
                }
                None => text_response(
                    StatusCode::NOT_FOUND,
                    "the emulator serves plain HTTP: there is no CA (start it with --tls)\n",
                ),
            }),
            (Method::POST, "/_emulator/reset") => {
                self.reset();
                Ok(json_response(StatusCode::OK, "{\"reset\":true}"))
            }
            (_, API_PATH) => Ok(text_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "only GET and POST are served\n",
            )),
            _ => Ok(text_response(
                StatusCode::NOT_FOUND,
                "not found: API 2.0 is at /v2/index.php, API 3.0 at /\n",
            )),
        }
    }

    /// Judges a request whose body was read.
    pub(super) fn answer(
        &self,
        api: Api,
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
    ) -> Response<Full<Bytes>> {
        if let Some(refused) = identity::gate(self, api, parts, body) {
            return refused;
        }
        let verdict = {
            let now = self.now_millis();
            let mut state = self.state();
            api::judge(self.config(), &mut state, now, api, parts, body)
        };
        match verdict {
            Verdict::V2(verdict) => {
                tracing::info!(
                    %peer,
                    api = "v2",
                    status = verdict.status.as_u16(),
                    code = verdict.code,
                    accepted = verdict.accepted,
                    reason = %verdict.reason,
                    "judged"
                );
                let response = if verdict.code.is_some() {
                    json_response(verdict.status, &verdict.body)
                } else {
                    text_response(verdict.status, &verdict.body)
                };
                if verdict.status == StatusCode::NOT_IMPLEMENTED {
                    closing(response)
                } else {
                    response
                }
            }
            Verdict::V3(judged) => {
                tracing::info!(
                    %peer,
                    api = "v3",
                    code = judged.code.as_deref().unwrap_or("ok"),
                    accepted = judged.accepted,
                    reason = %judged.reason,
                    "judged"
                );
                api::v3::response(StatusCode::OK, judged.body)
            }
        }
    }
}
