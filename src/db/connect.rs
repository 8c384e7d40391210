//! Raw tokio-postgres connections (COPY, server-side cursors, the prepared statements of the hot
//! read paths, the seed): one way to open them, without TLS, with the connection's driver spawned
//! on the runtime. The pool's diesel connections do not come from here.

use tokio::task::JoinHandle;
use tokio_postgres::{Client, NoTls};

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
