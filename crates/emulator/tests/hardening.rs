//! The server's self-defence over real TCP on 127.0.0.1: header, body and
//! idle timeouts, and the cap on concurrent connections.
//!
//! Each test waits for something that only the guard under test can cause
//! (the server closing a connection mid-request, a queued connection being
//! served once another closes), bounded so that a regression fails instead
//! of hanging.

mod common;

use std::time::Duration;

use common::*;
use tcdn_emulator::ConnectionLimits;
use tcdn_transport::Transport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits(adjust: impl FnOnce(&mut ConnectionLimits)) -> ConnectionLimits {
    let mut limits = ConnectionLimits::default();
    adjust(&mut limits);
    limits
}

/// Reads until the server closes; what it sent before closing.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    // A reset instead of a clean close also ends the exchange.
    let _ = stream.read_to_end(&mut received).await;
    String::from_utf8_lossy(&received).into_owned()
}

/// One kept-alive `GET /_emulator/stats`, answered.
async fn stats_over(stream: &mut TcpStream) -> serde_json::Value {
    stream
        .write_all(b"GET /_emulator/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "closed before answering");
        received.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&received);
        if let Some((_, body)) = text.split_once("\r\n\r\n")
            && body.ends_with('}')
        {
            return serde_json::from_str(body).unwrap();
        }
    }
}

#[tokio::test]
async fn a_client_trickling_its_header_is_cut_off() {
    bounded(async {
        let running = start(|c| {
            c.limits = limits(|l| l.header_read_timeout = Duration::from_millis(400));
        })
        .await;
        let mut stream = TcpStream::connect(running.addr()).await.unwrap();
        let (mut reader, mut writer) = stream.split();
        // 200 bytes at one per 50 ms would take 10 s; the bytes keep the
        // connection from ever being idle, so only the header timeout can
        // end it before the trickle does.
        let header = format!(
            "GET /_emulator/stats HTTP/1.1\r\nX-Slow: {}\r\n\r\n",
            "a".repeat(160)
        );
        let trickle = async {
            for byte in header.as_bytes() {
                if writer.write_all(&[*byte]).await.is_err() {
                    return false;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            true
        };
        let closed = async {
            let mut received = Vec::new();
            let _ = reader.read_to_end(&mut received).await;
            received
        };
        tokio::select! {
            finished = trickle => panic!("the whole header went through (write ok: {finished})"),
            received = closed => {
                let text = String::from_utf8_lossy(&received);
                assert!(!text.contains("200 OK"), "{text}");
            }
        }
        assert_eq!(running.emulator().stats().requests, 0);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408_and_applies_nothing() {
    bounded(async {
        let running = start(|c| {
            c.limits = limits(|l| l.body_read_timeout = Duration::from_millis(300));
        })
        .await;
        let mut stream = TcpStream::connect(running.addr()).await.unwrap();
        stream
            .write_all(
                b"POST /v2/index.php HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                  Content-Type: application/x-www-form-urlencoded\r\n\
                  Content-Length: 100\r\n\r\nAction=Flush",
            )
            .await
            .unwrap();
        let answer = read_until_closed(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(
            answer.to_ascii_lowercase().contains("connection: close"),
            "{answer}"
        );
        assert!(running.emulator().tasks().is_empty());
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    bounded(async {
        let running = start(|c| {
            c.limits = limits(|l| {
                l.idle_timeout = Duration::from_millis(300);
                l.header_read_timeout = Duration::from_secs(60);
            });
        })
        .await;
        let mut stream = TcpStream::connect(running.addr()).await.unwrap();
        let stats = stats_over(&mut stream).await;
        assert_eq!(stats["connections"], 1);
        // Nothing more is sent: the idle timeout, not the (60 s) header
        // timeout, closes it.
        assert_eq!(read_until_closed(&mut stream).await, "");
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_slow_answer_is_not_idleness() {
    bounded(async {
        let running = start(|c| {
            c.faults.latency = Duration::from_millis(600);
            c.limits = limits(|l| l.idle_timeout = Duration::from_millis(200));
        })
        .await;
        let response = transport()
            .send(get(format!("{}/", running.origin())))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        running.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_closes() {
    bounded(async {
        let running = start(|c| c.limits = limits(|l| l.max_connections = 1)).await;
        let mut first = TcpStream::connect(running.addr()).await.unwrap();
        assert_eq!(stats_over(&mut first).await["connections"], 1);

        // The kernel completes the second handshake, but the server does not
        // accept it while the first is open.
        let mut second = TcpStream::connect(running.addr()).await.unwrap();
        second
            .write_all(
                b"GET /_emulator/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            )
            .await
            .unwrap();
        let mut byte = [0u8; 1];
        let waited = tokio::time::timeout(Duration::from_millis(300), second.read(&mut byte)).await;
        assert!(
            waited.is_err(),
            "the second connection was served over the cap"
        );
        assert_eq!(stats_over(&mut first).await["connections"], 1);

        drop(first);
        let answer = read_until_closed(&mut second).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"connections\":2"), "{answer}");
        running.shutdown().await.unwrap();
    })
    .await;
}
