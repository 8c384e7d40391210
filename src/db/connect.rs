//! Raw tokio-postgres connections (COPY, server-side cursors, the prepared statements of the hot
//! read paths, the seed, `LISTEN`): one way to open them, without TLS, with the connection's driver
//! spawned on the runtime. The pool's diesel connections do not come from here.

use futures_util::StreamExt;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, Client, NoTls, Notification};

/// Opens a connection to `url` (no TLS) and spawns its driver. `on_error` receives the error that
/// ends the connection, if any: each caller logs it its own way (the closure is written at the call
/// site, so the log line keeps the caller's module as its target). Returns the client and the
/// driver's task (aborting it closes the connection; dropping it leaves the driver running until
/// the client is dropped).
pub async fn open<F>(
    url: &str,
    on_error: F,
) -> Result<(Client, JoinHandle<()>), tokio_postgres::Error>
where
    F: FnOnce(tokio_postgres::Error) + Send + 'static,
{
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    let driver = tokio::spawn(async move {
        if let Err(e) = connection.await {
            on_error(e);
        }
    });
    Ok((client, driver))
}

/// Opens a connection to `url` (no TLS) whose driver hands every notification (`LISTEN`) to
/// `on_notification`, and the error that ends the connection, if any, to `on_error` (written at the
/// call site, as with [`open`]). Returns the client and the driver's task, which ends with the
/// connection.
pub async fn open_listening<N, F>(
    url: &str,
    mut on_notification: N,
    on_error: F,
) -> Result<(Client, JoinHandle<()>), tokio_postgres::Error>
where
    N: FnMut(Notification) + Send + 'static,
    F: FnOnce(tokio_postgres::Error) + Send + 'static,
{
    let (client, mut connection) = tokio_postgres::connect(url, NoTls).await?;
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(m) = messages.next().await {
            match m {
                Ok(AsyncMessage::Notification(n)) => on_notification(n),
                Ok(_) => {}
                Err(e) => {
                    on_error(e);
                    break;
                }
            }
        }
    });
    Ok((client, driver))
}
