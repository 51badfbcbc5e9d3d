//! The fault layer, the same for both APIs: the dice rolled on arrival, the
//! body read within its limits, the latency, then the injected fault or the
//! judging; every answer dated by the emulator's clock.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use super::{Emulator, closing};
use crate::api;
use crate::api::v2::VerdictV2;
use crate::config::Faults;
use crate::identity;
use crate::messages::{self, Language};
use crate::response::{json_response, text_response};
use crate::state::Api;
use tcdn_model::v3::ErrorCode;

/// Why the connection is closed without an answer (hyper closes it when the
/// service fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Closed {
    /// `--drop-rate`: nothing applied.
    Dropped,
    /// `--lose-answer-rate`: applied, answer withheld.
    AnswerLost,
    /// The body could not be read (the client went away or broke framing).
    Unreadable,
    /// The handler's task panicked.
    HandlerFailed,
}

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Dropped => "connection dropped on purpose (--drop-rate)",
            Self::AnswerLost => "answer withheld on purpose after applying (--lose-answer-rate)",
            Self::Unreadable => "the request body could not be read",
            Self::HandlerFailed => "the request handler failed",
        })
    }
}

impl std::error::Error for Closed {}

/// The fault the dice chose for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    Drop,
    Fail,
    LoseAnswer,
}

impl Emulator {
    /// The fault layer, the same for both APIs: the dice, the body, the
    /// latency, then the fault or the judging. Every answer carries the
    /// emulator's own clock in `Date`.
    pub(super) async fn serve_api(
        self,
        api: Api,
        mut request: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Full<Bytes>>, Closed> {
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let arrival = identity::Arrival(self.now_millis());
        request.extensions_mut().insert(arrival);
        let faults = self.inner.config.faults;
        // Rolled on arrival, so that concurrent requests meet the seeded
        // pattern in the order they came.
        let fault = self.roll(&faults);
        // The body, the latency and the judging run in a task of their own:
        // a request that reached the server is judged, and applied if good,
        // even when the client gives up waiting and hyper drops this future.
        // The body is read before any fault is answered, so that an answer
        // never leaves part of a request unread on a kept-alive connection.
        let emulator = self.clone();
        let answered = tokio::spawn(async move {
            let (parts, body) = request.into_parts();
            let body = match emulator.read_body(api, body, peer).await {
                Ok(body) => body,
                Err(done) => return done,
            };
            tokio::time::sleep(faults.latency).await;
            match fault {
                Fault::Drop => {
                    tracing::info!(%peer, api = api.as_str(), decision = "dropped", "closing the connection without an answer (--drop-rate)");
                    Err(Closed::Dropped)
                }
                Fault::Fail => {
                    tracing::info!(%peer, api = api.as_str(), decision = "failed", "answering 503 (--fail-rate)");
                    Ok(emulator.injected_failure(api, &parts, &body))
                }
                Fault::None | Fault::LoseAnswer => Ok(emulator.answer(api, &parts, &body, peer)),
            }
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, %peer, "the handler failed");
            Closed::HandlerFailed
        })??;
        if fault == Fault::LoseAnswer {
            tracing::info!(%peer, api = api.as_str(), decision = "answer lost", "applied, now closing the connection without an answer (--lose-answer-rate)");
            return Err(Closed::AnswerLost);
        }
        Ok(self.dated(answered))
    }

    /// Adds `Date` from the emulator's clock (hyper would write the
    /// machine's): clients estimate the server's clock from it.
    fn dated(&self, mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
        if let Ok(date) = http::HeaderValue::from_str(&crate::clock::http_date(self.now_millis())) {
            response.headers_mut().insert(header::DATE, date);
        }
        response
    }

    /// Rolls the fault dice; the order of the rolls keeps the patterns of
    /// seeds used before `--lose-answer-rate` existed.
    fn roll(&self, faults: &Faults) -> Fault {
        let mut state = self.state();
        if faults.drop_rate > 0.0 && state.dice.f64() < faults.drop_rate {
            return Fault::Drop;
        }
        if faults.fail_rate > 0.0 && state.dice.f64() < faults.fail_rate {
            return Fault::Fail;
        }
        if faults.lose_answer_rate > 0.0 && state.dice.f64() < faults.lose_answer_rate {
            return Fault::LoseAnswer;
        }
        Fault::None
    }

    fn injected_failure(
        &self,
        api: Api,
        parts: &http::request::Parts,
        body: &[u8],
    ) -> Response<Full<Bytes>> {
        const MESSAGE: &str = "internal error (injected by --fail-rate); nothing was applied";
        match api {
            Api::V2 => {
                let verdict = VerdictV2::refuse(6000, "InternalError", MESSAGE);
                json_response(StatusCode::SERVICE_UNAVAILABLE, &verdict.body)
            }
            Api::V3 => {
                let request_id = self.state().request_id();
                let language = Language::of_request(&parts.headers, parts.uri.query(), body);
                let error = tcdn_model::v3::ApiError::new(
                    ErrorCode::InternalError,
                    format!(
                        "{} ({MESSAGE})",
                        messages::english(&ErrorCode::InternalError)
                    ),
                );
                let error = messages::localize(error, language);
                api::v3::error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    error.code().clone(),
                    error.message(),
                    &request_id,
                )
            }
        }
    }

    /// Reads the body, bounded in size and time; what cannot be read ends
    /// the exchange with the answer (or the close) it gets instead.
    #[allow(clippy::type_complexity)]
    async fn read_body(
        &self,
        api: Api,
        body: Incoming,
        peer: SocketAddr,
    ) -> Result<Bytes, Result<Response<Full<Bytes>>, Closed>> {
        let limits = self.inner.config.limits;
        let max_body = api::max_body(&self.inner.config, api);
        let read = Limited::new(body, max_body.saturating_add(1)).collect();
        match tokio::time::timeout(limits.body_read_timeout, read).await {
            Ok(Ok(collected)) => Ok(collected.to_bytes()),
            Ok(Err(error)) => {
                if error
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    tracing::info!(%peer, api = api.as_str(), decision = "refused", "body over the limit");
                    return Err(Ok(match api {
                        Api::V2 => closing(text_response(
                            StatusCode::NOT_IMPLEMENTED,
                            &format!("POST body is over the {max_body}-byte limit\n"),
                        )),
                        Api::V3 => {
                            let request_id = self.state().request_id();
                            closing(api::v3::error_response(
                                StatusCode::OK,
                                ErrorCode::InvalidParameter,
                                &format!("the request body is over the {max_body}-byte limit"),
                                &request_id,
                            ))
                        }
                    }));
                }
                tracing::info!(%peer, %error, "request body could not be read");
                Err(Err(Closed::Unreadable))
            }
            Err(_) => {
                tracing::info!(%peer, api = api.as_str(), decision = "timed out", "request body not received within {:?}", limits.body_read_timeout);
                Err(Ok(closing(text_response(
                    StatusCode::REQUEST_TIMEOUT,
                    &format!(
                        "the request body did not arrive within {} s\n",
                        limits.body_read_timeout.as_secs_f64()
                    ),
                ))))
            }
        }
    }
}
