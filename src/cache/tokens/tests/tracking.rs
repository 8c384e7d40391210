//! What a lane remembers between batches ([`Tracked`]) against a real Redis: a warm batch reads no
//! key, and each way a remembered token could go stale is covered — a change answered before the
//! read (the push ordered by the batch's reply), a push lost with its connection, a reconnect, a new
//! epoch, a deleted generation, and a failure recorded by the instance. And a lookup that wants no
//! generation (a name's first lookup) only counts its client.

use tokio::time::Instant;

use super::{proxy::Proxy, *};
use crate::cache::tracked::client_name;

/// A fixture through a recording proxy (`f`), the fixture that writes its keys directly, and the
/// generation key of "a": the epoch is e0, a's generation g0.
async fn proxied() -> (Proxy, Fixture, Fixture, String) {
    let proxy = Proxy::start().await;
    let direct = Fixture::new(&redis_url());
    let f = proxy.fixture(&direct);
    let a = f.gen_key("a");
    direct.set(&f.inner.epoch_key(), "e0").await;
    direct.set(&a, "g0").await;
    (proxy, direct, f, a)
}

async fn generation(f: &Fixture, key: &str) -> Result<Tokens, TokenError> {
    let mut creating = false;
    let mut t = f.read(&[want(key, None)], &mut creating).await?;
    Ok(t.remove(0))
}

/// The first tokens read after a read failed (a killed connection fails at most one read).
async fn next_tokens(f: &Fixture, key: &str) -> Tokens {
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        match generation(f, key).await {
            Ok(t) => return t,
            Err(_) if Instant::now() < until => {}
            Err(e) => panic!("no tokens after a reconnect: {e:?}"),
        }
    }
}

/// Kills the fixture's tracked connection from another connection (as a network cut or a Redis
/// output-buffer limit would): a push sent meanwhile is lost with it.
async fn kill_tracked_connection(f: &Fixture) {
    let list: String = f.cmd(redis::cmd("CLIENT").arg("LIST")).await;
    let name = format!("name={}", client_name(&f.inner.prefix));
    let ids: Vec<String> = list
        .lines()
        .filter(|l| l.split(' ').any(|field| field == name))
        .filter_map(|l| l.split(' ').find_map(|f| f.strip_prefix("id=")))
        .map(String::from)
        .collect();
    assert_eq!(ids.len(), 1, "one tracked connection: {ids:?}");
    let killed: i64 = f
        .cmd(redis::cmd("CLIENT").arg("KILL").arg("ID").arg(&ids[0]))
        .await;
    assert_eq!(killed, 1);
}

#[tokio::test]
async fn a_warm_read_sends_no_key_and_a_change_answered_before_it_is_seen() {
    let (proxy, direct, f, a) = proxied().await;
    assert_eq!(generation(&f, &a).await.unwrap().generation, "g0");
    assert!(proxy.sent_since("MGET"), "the first read reads the key");
    assert_eq!(f.tracked.lock().await.remembered(), 2, "epoch and a");
    let t = generation(&f, &a).await.unwrap();
    assert_eq!((t.epoch.as_str(), t.generation.as_str()), ("e0", "g0"));
    assert!(!t.fresh);
    let warm = String::from_utf8_lossy(&proxy.sent.lock().unwrap()).to_string();
    assert!(
        warm.contains("PING") && !warm.contains("MGET") && !warm.contains("GET"),
        "a warm read sends only a PING: {warm:?}"
    );
    proxy.sent.lock().unwrap().clear();
    // Each change answered to its writer before the read: the read sees it, every time.
    for i in 1..=200 {
        let g = format!("g{i}");
        direct.set(&a, &g).await;
        assert_eq!(generation(&f, &a).await.unwrap().generation, g, "round {i}");
    }
    assert!(proxy.sent_since("MGET"), "a changed key is read again");
    assert_eq!(generation(&f, &a).await.unwrap().generation, "g200");
    assert!(!proxy.sent_since("MGET"), "and remembered again");
}

#[tokio::test]
async fn a_push_lost_with_its_connection_leaves_no_stale_token_and_tracking_resumes() {
    let f = Fixture::new(&redis_url());
    let a = f.gen_key("a");
    f.set(&f.inner.epoch_key(), "e0").await;
    f.set(&a, "g0").await;
    assert_eq!(generation(&f, &a).await.unwrap().generation, "g0");
    assert_eq!(generation(&f, &a).await.unwrap().generation, "g0");
    kill_tracked_connection(&f).await;
    // Its invalidation push had no connection to go to: lost.
    f.set(&a, "g1").await;
    assert_eq!(next_tokens(&f, &a).await.generation, "g1");
    // The new connection tracks again: a change after the reconnect reaches it.
    assert_eq!(generation(&f, &a).await.unwrap().generation, "g1");
    f.set(&a, "g2").await;
    assert_eq!(generation(&f, &a).await.unwrap().generation, "g2");
    // And so does a new epoch.
    f.set(&f.inner.epoch_key(), "e1").await;
    assert_eq!(generation(&f, &a).await.unwrap().epoch, "e1");
}

#[tokio::test]
async fn a_new_epoch_or_a_deleted_generation_reaches_a_lane_that_remembers_the_old() {
    let f = Fixture::new(&redis_url());
    let a = f.gen_key("a");
    f.set(&f.inner.epoch_key(), "e0").await;
    f.set(&a, "g0").await;
    for _ in 0..2 {
        assert_eq!(generation(&f, &a).await.unwrap().epoch, "e0");
    }
    assert!(f.inner.bump_epoch().await, "the health task's way");
    let epoch = f.get(&f.inner.epoch_key()).await.unwrap();
    assert_ne!(epoch, "e0");
    assert_eq!(generation(&f, &a).await.unwrap().epoch, epoch);
    // An expired or evicted generation is a deletion: a new token, and nothing under it yet.
    let _: i64 = f.cmd(redis::cmd("DEL").arg(&a)).await;
    let t = next_tokens(&f, &a).await;
    assert_ne!(t.generation, "g0");
    assert!(t.fresh, "created by this read");
    assert_eq!(f.get(&a).await.as_deref(), Some(t.generation.as_str()));
}

#[tokio::test]
async fn a_failure_recorded_by_the_instance_forgets_what_the_lane_remembers() {
    let (proxy, _direct, f, a) = proxied().await;
    generation(&f, &a).await.unwrap();
    assert!(proxy.sent_since("MGET"), "the first read reads the key");
    generation(&f, &a).await.unwrap();
    assert!(!proxy.sent_since("MGET"), "remembered");
    f.inner.record_failure();
    assert_eq!(generation(&f, &a).await.unwrap().generation, "g0");
    assert!(proxy.sent_since("MGET"), "read again after a failure");
}

/// A name's first lookup only counts its client: no generation is read or created for it.
#[tokio::test]
async fn a_lookup_that_wants_no_generation_is_only_counted() {
    let f = Fixture::new(&redis_url());
    f.set(&f.inner.epoch_key(), "e0").await;
    let (a, x) = (f.gen_key("a"), f.counter_key("x"));
    let only_counted = || {
        let mut w = want("", Some((&x, 60_000)));
        w.gen_key = None;
        w
    };
    for creating in [false, true] {
        let mut creating = creating;
        let t = f
            .read(
                &[only_counted(), want(&a, None), only_counted()],
                &mut creating,
            )
            .await
            .unwrap();
        assert_eq!(
            t.iter().map(|t| t.count).collect::<Vec<_>>()[..],
            [1, 0, 2][..]
        );
        assert_eq!(f.get(&a).await.as_deref(), Some(t[1].generation.as_str()));
        let _: i64 = f.cmd(redis::cmd("DEL").arg(&a).arg(&x)).await;
    }
    let mut creating = false;
    let t = f.read(&[only_counted()], &mut creating).await.unwrap();
    assert_eq!(t[0].count, 1);
    assert!(!creating, "nothing was missing");
    let created: i64 = f
        .cmd(redis::cmd("EXISTS").arg(&a).arg(f.gen_key("")).arg(""))
        .await;
    assert_eq!(created, 0, "no generation created");
}
