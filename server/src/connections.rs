//! Serving the application over HTTP/1.1 connections, with the limits that keep one client from
//! holding the server's connections: a client must send a request's headers within a time limit
//! (from the moment it connects, and again each time a kept-alive connection waits for its next
//! request), a connection on which no byte moves either way for a while is closed (a stalled upload,
//! or a client that stops reading its answer), and one client address may hold only so many
//! connections at once.
//!
//! `axum::serve` offers none of these, so connections are accepted here and each is served by
//! hyper's HTTP/1 connection directly, as axum's own server does. A shutdown stops accepting, asks
//! every connection to finish the request it is serving and close, and waits for them all.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// The limits on each client's connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// How long a client has to send a request's headers, counted from when the connection opens or
    /// (kept alive) finished its previous answer.
    pub header_read_timeout: Duration,
    /// How long a connection may go without a byte moving in either direction.
    pub idle_timeout: Duration,
    /// How many connections one client address may hold at once; those beyond are closed at once.
    pub per_address: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { header_read_timeout: Duration::from_secs(10), idle_timeout: Duration::from_secs(60), per_address: 128 }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the connections finish the
/// requests they are serving and waits for them. Each request carries its connection's address
/// (`ConnectInfo<SocketAddr>`), for the per-address limit on login attempts.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let open = OpenConnections::default();
    // Connections hold a receiver each; when all are gone, the sender's `closed()` resolves.
    let (all_closed, connection_alive) = tokio::sync::watch::channel(());
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors or the like: wait a little rather than spin. A client
                    // that reset its connection before it was accepted is nothing to wait for.
                    if !is_connection_error(&error) {
                        tracing::warn!(%error, "server.connections.accept_failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = open.take(address.ip(), limits.per_address) else {
            tracing::warn!(address = %address.ip(), limit = limits.per_address, "server.connections.refused");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let stopping = stopping.clone();
        let alive = connection_alive.clone();
        tokio::spawn(async move {
            serve_connection(stream, address, app, limits, stopping).await;
            drop(slot);
            drop(alive);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(connection_alive);
    all_closed.closed().await;
    Ok(())
}

/// Serves one connection until it closes, the client idles too long, or the server stops.
async fn serve_connection(
    stream: TcpStream,
    address: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let activity = Activity::new();
    let io = TokioIo::new(Watched { stream, activity: activity.clone() });
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(address));
        app.clone().oneshot(request.map(Body::new))
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(io, service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let mut shutting_down = false;
    loop {
        let idle_until = activity.last() + limits.idle_timeout;
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "server.connections.closed_with_error");
                }
                return;
            }
            changed = stopping.wait_for(|stop| *stop), if !shutting_down => {
                // Also when the server is gone without a word (`changed` is an error): finish and close.
                let _ = changed;
                shutting_down = true;
                connection.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep_until(idle_until.into()) => {
                if activity.last().elapsed() >= limits.idle_timeout {
                    tracing::debug!("server.connections.idle_closed");
                    return;
                }
            }
        }
    }
}

/// The number of open connections per client address.
#[derive(Clone, Default)]
struct OpenConnections(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl OpenConnections {
    /// A place for one more connection from `address`, if it holds fewer than `limit`.
    fn take(&self, address: IpAddr, limit: usize) -> Option<Slot> {
        let mut open = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(address).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Slot { open: self.clone(), address })
    }
}

/// One connection's place in [`OpenConnections`], given back when dropped.
struct Slot {
    open: OpenConnections,
    address: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// When a byte last moved on a connection.
#[derive(Clone)]
struct Activity {
    since: Instant,
    /// Milliseconds after `since`.
    last: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self { since: Instant::now(), last: Arc::new(AtomicU64::new(0)) }
    }

    fn touch(&self) {
        let elapsed = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(elapsed, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.since + Duration::from_millis(self.last.load(Ordering::Relaxed))
    }
}

/// A connection that notes when bytes move.
struct Watched {
    stream: TcpStream,
    activity: Activity,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.touch();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write_vectored(cx, data);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_limit_and_gets_places_back() {
        let open = OpenConnections::default();
        let address: IpAddr = [192, 0, 2, 1].into();
        let other: IpAddr = [192, 0, 2, 2].into();
        let first = open.take(address, 2);
        let second = open.take(address, 2);
        assert!(first.is_some() && second.is_some());
        assert!(open.take(address, 2).is_none(), "a third connection from one address is refused");
        assert!(open.take(other, 2).is_some(), "another address has its own allowance");
        drop(first);
        assert!(open.take(address, 2).is_some(), "a closed connection gives its place back");
    }
}
