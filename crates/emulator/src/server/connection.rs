//! The accept loop (connection cap, back-off after failed accepts) and each
//! connection (TLS handshake, header and idle timeouts, graceful shutdown).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use http_body_util::Either;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use super::Emulator;
use super::admin::TasksListing;
use crate::listen::{Accept, AcceptBackoff, Activity, Tracked, WARN_EVERY};

impl Emulator {
    /// The accept loop: at most `max_connections` at once (the rest wait in
    /// the kernel's backlog), a growing pause after each failed `accept()`.
    pub(crate) async fn serve_on<A: Accept>(
        &self,
        mut acceptor: A,
        tls: Option<TlsAcceptor>,
        shutdown: impl Future<Output = ()>,
    ) {
        let limits = self.inner.config.limits;
        let graceful = GracefulShutdown::new();
        let permits = Arc::new(Semaphore::new(
            limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
        ));
        let mut backoff = AcceptBackoff::default();
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            let accepted = tokio::select! {
                accepted = acceptor.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (io, peer) = match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    drop(permit);
                    let after = backoff.failed(Instant::now());
                    if let Some(failures) = after.warn {
                        tracing::warn!(
                            %error,
                            failures,
                            pause_ms = after.pause.as_millis() as u64,
                            "accept failed; pausing before the next attempt (warned at most every {} s)",
                            WARN_EVERY.as_secs()
                        );
                    }
                    tokio::select! {
                        () = tokio::time::sleep(after.pause) => continue,
                        () = &mut shutdown => break,
                    }
                }
            };
            backoff.succeeded();
            self.inner.connections.fetch_add(1, Ordering::Relaxed);
            let emulator = self.clone();
            let watcher = graceful.watcher();
            let tls = tls.clone();
            tokio::spawn(async move {
                let _permit = permit;
                let activity = Arc::new(Activity::new());
                let io = Tracked::new(io, Arc::clone(&activity));
                match tls {
                    None => emulator.connection(io, peer, activity, watcher).await,
                    Some(tls) => {
                        match tokio::time::timeout(limits.header_read_timeout, tls.accept(io)).await
                        {
                            Ok(Ok(stream)) => {
                                emulator.connection(stream, peer, activity, watcher).await;
                            }
                            Ok(Err(error)) => {
                                tracing::debug!(%error, %peer, "TLS handshake failed");
                            }
                            Err(_) => {
                                tracing::debug!(%peer, "TLS handshake timed out");
                            }
                        }
                    }
                }
            });
        }
        drop(acceptor);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {
                tracing::warn!("open connections did not finish within 5 s; closing");
            }
        }
    }

    /// Serves one connection until it ends, times out or goes idle.
    async fn connection<I>(self, io: I, peer: SocketAddr, activity: Arc<Activity>, watcher: Watcher)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let limits = self.inner.config.limits;
        let tracked = Arc::clone(&activity);
        let service = service_fn(move |request| {
            let emulator = self.clone();
            let busy = tracked.busy();
            async move {
                let answer = match TasksListing::of(&request) {
                    Some(listing) => Ok(emulator.tasks_response(listing)),
                    None => emulator
                        .handle(request, peer)
                        .await
                        .map(|response| response.map(Either::Left)),
                };
                drop(busy);
                answer
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(io), service);
        let connection = watcher.watch(connection);
        tokio::pin!(connection);
        let mut next_check = activity.deadline(limits.idle_timeout);
        loop {
            tokio::select! {
                ended = connection.as_mut() => {
                    if let Err(error) = ended {
                        tracing::debug!(%error, %peer, "connection ended with an error");
                    }
                    return;
                }
                () = tokio::time::sleep_until(next_check) => {
                    if activity.is_idle(limits.idle_timeout) {
                        tracing::debug!(%peer, "closing a connection idle for {:?}", limits.idle_timeout);
                        return;
                    }
                    next_check = activity.next_check(limits.idle_timeout, Instant::now());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Mutex;

    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    use super::*;
    use crate::config::{Config, Credential};
    use crate::listen::{FIRST_PAUSE, MAX_PAUSE};

    /// Fails `failures` times as an out-of-descriptors `accept()` does, then
    /// hands over one in-memory connection, then waits forever.
    struct FailingAcceptor {
        failures: usize,
        connection: Option<DuplexStream>,
        calls: Arc<Mutex<Vec<Instant>>>,
    }

    impl Accept for FailingAcceptor {
        type Io = DuplexStream;

        fn accept(
            &mut self,
        ) -> impl Future<Output = io::Result<(DuplexStream, SocketAddr)>> + Send {
            self.calls.lock().unwrap().push(Instant::now());
            let next = if self.failures > 0 {
                self.failures -= 1;
                Some(Err(io::Error::from_raw_os_error(24))) // EMFILE
            } else {
                self.connection
                    .take()
                    .map(|io| Ok((io, SocketAddr::from(([127, 0, 0, 1], 9)))))
            };
            async move {
                match next {
                    Some(result) => result,
                    None => std::future::pending().await,
                }
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failed_accepts_back_off_instead_of_spinning_then_serving_resumes() {
        const FAILURES: usize = 40;
        let emulator = Emulator::new(Config::new(vec![Credential::new("AKIDx", "k")]));
        let (mut client, server_side) = tokio::io::duplex(4096);
        let calls = Arc::new(Mutex::new(Vec::new()));
        let acceptor = FailingAcceptor {
            failures: FAILURES,
            connection: Some(server_side),
            calls: Arc::clone(&calls),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn({
            let emulator = emulator.clone();
            async move {
                emulator
                    .serve_on(acceptor, None, async {
                        let _ = stopped.await;
                    })
                    .await;
            }
        });

        client
            .write_all(b"GET /_emulator/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"connections\":1"), "{answer}");

        let calls: Vec<Instant> = calls.lock().unwrap().clone();
        // One call per failure, one for the connection, one now waiting.
        assert_eq!(calls.len(), FAILURES + 2);
        let pauses: Vec<Duration> = calls[..=FAILURES].windows(2).map(|w| w[1] - w[0]).collect();
        let mut expected = FIRST_PAUSE;
        for (i, pause) in pauses.iter().enumerate() {
            assert!(
                *pause >= expected,
                "pause {i} was {pause:?}, expected {expected:?}"
            );
            expected = (expected * 2).min(MAX_PAUSE);
        }
        // 40 failures took over half a minute (simulated), not a burst.
        assert!(calls[FAILURES] - calls[0] >= Duration::from_secs(30));

        let _ = stop.send(());
        serving.await.unwrap();
    }
}
