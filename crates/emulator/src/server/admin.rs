//! `GET /_emulator/tasks`: the accepted tasks as a JSON array, whole or
//! streamed a few tasks at a time, optionally a slice of them.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{Either, Full};

use super::Emulator;
use crate::response::text_response;

/// What `GET /_emulator/tasks` asks for: all tasks, or the slice
/// `?offset=N&limit=M` (either may be left out), or a query it cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TasksListing {
    /// Tasks from position `offset` (0 for the first), at most `limit`.
    Slice { offset: usize, limit: usize },
    /// A query other than `offset` and `limit` as whole numbers.
    Invalid,
}

impl TasksListing {
    /// The listing a request asks for, when it is `GET /_emulator/tasks`.
    pub(super) fn of<B>(request: &Request<B>) -> Option<Self> {
        if request.method() != Method::GET || request.uri().path() != "/_emulator/tasks" {
            return None;
        }
        let (mut offset, mut limit) = (0, usize::MAX);
        for pair in request.uri().query().unwrap_or("").split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name {
                "" => continue,
                "offset" => &mut offset,
                "limit" => &mut limit,
                _ => return Some(Self::Invalid),
            };
            match value.parse() {
                Ok(number) => *slot = number,
                Err(_) => return Some(Self::Invalid),
            }
        }
        Some(Self::Slice { offset, limit })
    }
}

/// How many tasks [`TasksBody`] writes a chunk: enough to keep the
/// chunks large, few enough to hold the state's lock briefly.
const TASKS_PER_CHUNK: usize = 256;

/// The body of `GET /_emulator/tasks`: the JSON array of the tasks from
/// `next` to `end` (fixed when the request came), written a few tasks at a
/// time as the connection takes them, so that listing millions of URLs
/// never holds the whole document. The layout is `serde_json`'s pretty one.
pub(super) struct TasksBody {
    emulator: Emulator,
    next: usize,
    end: usize,
    now_ms: i64,
    delay_ms: i64,
    opened: bool,
    written: bool,
    finished: bool,
}

impl hyper::body::Body for TasksBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(
            self.get_mut()
                .next_chunk()
                .map(|chunk| Ok(hyper::body::Frame::data(chunk))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.finished
    }
}

impl TasksBody {
    /// The next piece of the array, or `None` once it is closed.
    fn next_chunk(&mut self) -> Option<Bytes> {
        if self.finished {
            return None;
        }
        let state = self.emulator.state();
        let tasks = state.tasks();
        // A reset while listing shortens the list; what is gone is not listed.
        let end = self.end.min(tasks.len());
        let mut chunk = String::new();
        if !self.opened {
            self.opened = true;
            chunk.push('[');
        }
        let stop = end.min(self.next.saturating_add(TASKS_PER_CHUNK));
        for stored in tasks.get(self.next..stop).unwrap_or_default() {
            chunk.push_str(if self.written { ",\n  " } else { "\n  " });
            self.written = true;
            let view = stored.view(self.now_ms, self.delay_ms);
            // Strings in JSON hold no raw line break, so indenting every
            // line of the element nests it as to_string_pretty would.
            let element = serde_json::to_string_pretty(&view).unwrap_or_default();
            chunk.push_str(&element.replace('\n', "\n  "));
        }
        drop(state);
        self.next = self.next.max(stop);
        if self.next >= end {
            chunk.push_str(if self.written { "\n]" } else { "]" });
            self.finished = true;
        }
        Some(Bytes::from(chunk))
    }
}

/// A response of the emulator: whole, or the streamed task list.
pub(super) type ServedBody = Either<Full<Bytes>, TasksBody>;

impl Emulator {
    /// `GET /_emulator/tasks`, streamed.
    pub(super) fn tasks_response(&self, listing: TasksListing) -> Response<ServedBody> {
        let TasksListing::Slice { offset, limit } = listing else {
            return text_response(
                StatusCode::BAD_REQUEST,
                "GET /_emulator/tasks takes ?offset=N&limit=M (whole numbers, both optional)\n",
            )
            .map(Either::Left);
        };
        let len = self.state().tasks().len();
        let next = offset.min(len);
        let mut body = TasksBody {
            emulator: self.clone(),
            next,
            end: next.saturating_add(limit).min(len),
            now_ms: self.inner.clock.now_millis(),
            delay_ms: i64::try_from(self.inner.config.tasks.delay.as_millis()).unwrap_or(i64::MAX),
            opened: false,
            written: false,
            finished: false,
        };
        // A list of one chunk goes whole, with its length, as it always did.
        let body = if body.end - body.next <= TASKS_PER_CHUNK {
            Either::Left(Full::new(body.next_chunk().unwrap_or_default()))
        } else {
            Either::Right(body)
        };
        let mut response = Response::new(body);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json; charset=utf-8"),
        );
        response
    }
}
