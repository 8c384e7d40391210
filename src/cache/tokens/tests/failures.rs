//! A Redis that is down or slow: every lookup gets a `TokenError` within a few deadlines (never a
//! hang), the cache stops being trusted, and a reply that came too late is never taken for a later
//! read's tokens.

use std::sync::atomic::Ordering;

use tokio::{net::TcpListener, time::Instant};

use super::{proxy::Proxy, *};

/// Well past the deadline of one call (and its one retry), far below a hang.
const PROMPT: Duration = Duration::from_secs(2);

/// A local port nothing listens on.
fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A "Redis" that accepts connections and never answers.
async fn silent_server() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

async fn assert_fails_promptly(f: &Fixture) -> TokenError {
    let started = Instant::now();
    let mut creating = false;
    let r = f.read(&[want(&f.gen_key("a"), None)], &mut creating).await;
    assert!(started.elapsed() < PROMPT, "took {:?}", started.elapsed());
    match r {
        Err(e) => e,
        Ok(t) => panic!(
            "tokens from a Redis that cannot answer: {:?}",
            t[0].generation
        ),
    }
}

#[tokio::test]
async fn a_redis_that_is_down_yields_a_token_error_promptly() {
    let f = Fixture::new(&format!("redis://127.0.0.1:{}", dead_port()));
    let e = assert_fails_promptly(&f).await;
    assert!(!e.0.is_empty());
}

#[tokio::test]
async fn a_redis_that_never_answers_yields_a_token_error_not_a_hang() {
    let (_held, port) = silent_server().await;
    let f = Fixture::new(&format!("redis://127.0.0.1:{port}"));
    assert_fails_promptly(&f).await;
}

#[tokio::test]
async fn a_read_keeps_its_own_deadline_when_the_connection_has_none() {
    let (_held, port) = silent_server().await;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(None)
        .set_response_timeout(None);
    let url = format!("redis://127.0.0.1:{port}");
    let f = Fixture::with_config(&url, "shixin:unused".into(), config);
    let started = Instant::now();
    let e = assert_fails_promptly(&f).await;
    assert_eq!(e.0, "timed out");
    assert!(
        started.elapsed() < REDIS_DEADLINE * 3,
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn through_the_lane_a_failed_read_fails_every_lookup_and_stops_trusting_the_cache() {
    let (_held, port) = silent_server().await;
    let f = Fixture::new(&format!("redis://127.0.0.1:{port}"));
    let (tx, rx) = mpsc::unbounded_channel();
    start(Arc::downgrade(&f.inner), rx, LaneConn::default());
    let mut replies = Vec::new();
    for name in ["a", "b", "a"] {
        let (reply, answer) = oneshot::channel();
        let gen_key = f.gen_key(name);
        tx.send(Op::Tokens(Want {
            gen_key: Some(gen_key),
            counter: None,
            reply,
        }))
        .unwrap();
        replies.push(answer);
    }
    let (reply, answer) = oneshot::channel();
    tx.send(Op::Answer {
        key: "e:g:n:|0|20".into(),
        reply,
    })
    .unwrap();
    let started = Instant::now();
    for r in replies {
        assert!(matches!(r.await, Ok(Err(TokenError(_)))));
    }
    assert!(matches!(answer.await, Ok(Err(TokenError(_)))));
    assert!(started.elapsed() < PROMPT, "took {:?}", started.elapsed());
    assert!(
        !f.inner.usable(),
        "a failed batch stops the cache until the epoch is replaced"
    );
    assert!(!f.inner.available.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_reply_that_came_too_late_is_never_taken_for_a_later_reads_tokens() {
    let proxy = Proxy::start().await;
    let delay = proxy.delay_ms.clone();
    // `direct` writes the keys and deletes them after the test.
    let direct = Fixture::new(&redis_url());
    let f = proxy.fixture(&direct);
    let (a, b) = (f.gen_key("a"), f.gen_key("b"));
    for (key, value) in [
        (f.inner.epoch_key(), "e0"),
        (a.clone(), "ga"),
        (b.clone(), "gb"),
    ] {
        direct.set(&key, value).await;
    }
    let mut creating = false;
    let t = f.read(&[want(&a, None)], &mut creating).await.unwrap();
    assert_eq!(t[0].generation, "ga", "the proxy passes replies on");
    delay.store(300, Ordering::SeqCst);
    let late = f.read(&[want(&a, None)], &mut creating).await;
    assert!(
        late.is_err(),
        "a reply held back past the deadline is a TokenError"
    );
    delay.store(0, Ordering::SeqCst);
    // The late reply (epoch, ["ga"]) has the shape of the next read's: it must not answer it.
    let until = Instant::now() + PROMPT;
    loop {
        match f.read(&[want(&b, None)], &mut creating).await {
            Ok(t) => {
                assert_eq!(
                    (t[0].epoch.as_str(), t[0].generation.as_str()),
                    ("e0", "gb")
                );
                break;
            }
            Err(_) if Instant::now() < until => {}
            Err(e) => panic!("Redis did not come back: {e:?}"),
        }
    }
}
