//! Whether a Redis answers at the default address: with no `REDIS_URL` set and none answering, the
//! service runs with the in-process cache and rate limit (docs/API.md "Configuration"), as with
//! `REDIS_URL=none`. A Redis that appears later is not used before a restart.

use std::time::Duration;

/// `Ok` when a Redis at `url` answers PING within `wait`; the reason otherwise.
pub async fn answers(url: &str, wait: Duration) -> Result<(), String> {
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let ping = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(wait, ping).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {wait:?}")),
    }
}
