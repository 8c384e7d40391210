//! A new master without an outage: the sentinels name another server while the old one still
//! answers as a master (as when a partition cuts the sentinels, not the service, off the old
//! master). Nothing fails, so the service learns of it only by asking the sentinels (every 2 s),
//! and it must replace the epoch on the new master before it uses the cache there.

use super::*;

#[tokio::test]
async fn a_new_master_named_without_an_outage_is_followed_under_a_new_epoch() {
    let cluster = Cluster::start().await;
    let app = Arc::new(spawn_app_with(&[NO_LIMIT, ("REDIS_URL", &cluster.url())]).await);
    wait_redis_up(&app).await;
    let keys_of = Keys::new(&app);
    let staged = stage(&app, &cluster, &keys_of).await;
    let checker = Checker::start(&app, &staged.both);

    // The replica becomes a master and the sentinels monitor it instead; the old master is left
    // alone, and the service's connections to it keep working.
    let mut replica = connect(cluster.replica.port).await;
    let _: redis::Value = redis::cmd("REPLICAOF")
        .arg("NO")
        .arg("ONE")
        .query_async(&mut replica)
        .await
        .unwrap();
    let moved = Instant::now();
    cluster.move_sentinels_to(cluster.replica.port).await;

    // Until the service has followed (a new epoch on the new master), or served something stale.
    wait_for(
        Duration::from_secs(6),
        "the service follows the master the sentinels name",
        async || {
            get(&mut replica, &keys_of.epoch()).await.as_deref() != Some(&staged.old_epoch)
                || checker.saw_stale()
        },
    )
    .await;
    let followed = moved.elapsed();
    follows(
        &app,
        &mut replica,
        &keys_of,
        &staged.old_epoch,
        &staged.both,
        "the change of master",
    )
    .await;
    // There was no outage: the old master still answers as a master.
    let mut old = connect(cluster.master.port).await;
    let role: redis::Role = redis::cmd("ROLE").query_async(&mut old).await.unwrap();
    assert!(matches!(role, redis::Role::Primary { .. }), "{role:?}");
    checker.assert_never_stale().await;
    staged.assert_real(&mut replica, &keys_of).await;
    eprintln!(
        "no outage: the service followed the new master {followed:?} after the sentinels named it"
    );
}
