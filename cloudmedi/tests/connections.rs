//! Connection limits of `cloudmedi serve`, driven with raw TCP as a slow or greedy client would: a
//! client that sends part of a request's headers, or nothing, is disconnected after the header-read
//! timeout; one client address holds only so many connections at once; and the server still stops
//! cleanly.

mod support;

use std::time::Duration;
use support::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A bound far beyond every timeout the servers below are given: a test waits this long at most.
const GENEROUS: Duration = Duration::from_secs(60);

async fn connect(server: &Server) -> TcpStream {
    let address = server.url("").trim_start_matches("http://").to_owned();
    TcpStream::connect(address).await.unwrap()
}

/// Reads until the server closes the connection (end of stream or reset); returns what it sent.
/// Panics if the connection is still open after [`GENEROUS`].
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let reading = async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    };
    tokio::time::timeout(GENEROUS, reading).await.expect("the server closes the connection");
    received
}

/// Sends a whole `GET /health` and reads the answer's status line.
async fn health(stream: &mut TcpStream) -> Option<String> {
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: cloudmedi\r\n\r\n").await.ok()?;
    let mut buffer = [0u8; 1024];
    let read = tokio::time::timeout(GENEROUS, stream.read(&mut buffer)).await.ok()?.ok()?;
    let text = String::from_utf8_lossy(&buffer[..read]).into_owned();
    text.lines().next().map(str::to_owned).filter(|line| !line.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_disconnected() {
    let temp = tempfile::tempdir().unwrap();
    let server = Server::start(&temp.path().join("data"), None, &[("CLOUDMEDI_HEADER_READ_TIMEOUT_SECS", "1")]);

    // Part of a request line, then nothing more.
    let mut partial = connect(&server).await;
    partial.write_all(b"GET /health HT").await.unwrap();
    let answer = until_closed(&mut partial).await;
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"), "no answer to a request never finished");
    // Headers begun but never ended.
    let mut unfinished = connect(&server).await;
    unfinished.write_all(b"GET /health HTTP/1.1\r\nHost: cloudmedi\r\nX-Slow: 1").await.unwrap();
    until_closed(&mut unfinished).await;
    // Nothing at all.
    let mut silent = connect(&server).await;
    until_closed(&mut silent).await;
    // A client that asks promptly is answered; kept alive and then silent, it is disconnected too.
    let mut prompt = connect(&server).await;
    assert_eq!(health(&mut prompt).await.as_deref(), Some("HTTP/1.1 200 OK"));
    until_closed(&mut prompt).await;

    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_a_bounded_number_of_connections() {
    let temp = tempfile::tempdir().unwrap();
    let server = Server::start(
        &temp.path().join("data"),
        None,
        &[
            ("CLOUDMEDI_CONNECTIONS_PER_ADDRESS", "2"),
            ("CLOUDMEDI_HEADER_READ_TIMEOUT_SECS", "300"),
            ("CLOUDMEDI_IDLE_TIMEOUT_SECS", "600"),
        ],
    );
    let mut first = connect(&server).await;
    let mut second = connect(&server).await;
    assert_eq!(health(&mut first).await.as_deref(), Some("HTTP/1.1 200 OK"));
    assert_eq!(health(&mut second).await.as_deref(), Some("HTTP/1.1 200 OK"));

    // A third connection from the same address is closed without an answer.
    let mut third = connect(&server).await;
    let _ = third.write_all(b"GET /health HTTP/1.1\r\nHost: cloudmedi\r\n\r\n").await;
    let answer = until_closed(&mut third).await;
    assert!(answer.is_empty(), "refused: {}", String::from_utf8_lossy(&answer));

    // The two it holds still work; once one closes, its place is free again.
    assert_eq!(health(&mut second).await.as_deref(), Some("HTTP/1.1 200 OK"));
    drop(first);
    let admitted = tokio::time::timeout(GENEROUS, async {
        loop {
            let mut next = connect(&server).await;
            if health(&mut next).await.as_deref() == Some("HTTP/1.1 200 OK") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(admitted.is_ok(), "a connection is admitted once another closed");

    // Stopping does not wait for an idle kept-alive connection.
    server.stop();
}
