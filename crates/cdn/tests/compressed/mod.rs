//! The fault tests' compressed time: a transport that counts the client's
//! requests in flight, and a sleeper that advances the client's and the
//! emulator's clocks instead of waiting, once nothing is in flight.

use std::time::Duration;

use bytes::Bytes;
use tcdn::clock::Sleeper;
use tcdn::test_util::ManualClock;
use tcdn::transport::{HyperTransport, Transport, TransportError, async_trait};
use tokio::sync::watch;

/// Counts the client's requests in flight.
#[derive(Debug)]
pub struct Tracked {
    pub inner: HyperTransport,
    pub in_flight: watch::Sender<usize>,
}

/// Takes one request off the count when its exchange ends or is dropped.
pub struct InFlight<'a>(&'a watch::Sender<usize>);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

#[async_trait]
impl Transport for Tracked {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self.in_flight.send_modify(|n| *n += 1);
        let _in_flight = InFlight(&self.in_flight);
        self.inner.send(request).await
    }
}

/// Advances both clocks instead of waiting, once no request is in flight.
#[derive(Debug)]
pub struct CompressedTime {
    pub client: ManualClock,
    pub emulator: tcdn_emulator::ManualClock,
    pub in_flight: watch::Receiver<usize>,
}

#[async_trait]
impl Sleeper for CompressedTime {
    async fn sleep(&self, duration: Duration) {
        let mut in_flight = self.in_flight.clone();
        // Only fails if the transport is gone, and then nothing is in flight.
        let _ = in_flight.wait_for(|&n| n == 0).await;
        self.client.advance(duration);
        self.emulator
            .advance_millis(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX));
        tokio::task::yield_now().await;
    }
}
