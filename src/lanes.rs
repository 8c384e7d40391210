//! Per-thread queues ("lanes") to batching tasks. A request on an HTTP worker thread hands its
//! operation to its own thread's task, which gathers the operations that arrive together into one
//! round trip (to Redis, to PostgreSQL): no wake-ups across threads on the hot path, and a batch per
//! turn of the thread's scheduler instead of a round trip per request.

use std::{
    any::Any,
    cell::RefCell,
    sync::atomic::{AtomicU64, Ordering},
};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// A queue whose task may have gone (its runtime ended): then a new one is started.
trait Queue {
    fn closed(&self) -> bool;
    fn as_any(&self) -> &dyn Any;
}

impl<Op: 'static> Queue for UnboundedSender<Op> {
    fn closed(&self) -> bool {
        self.is_closed()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

thread_local! {
    /// This thread's lanes, by owner (tests run several services in one process).
    static LANES: RefCell<Vec<(u64, Box<dyn Queue>)>> = const { RefCell::new(Vec::new()) };
}

/// A fresh owner id: each batching service (a cache, a reader) takes one.
pub fn owner_id() -> u64 {
    static IDS: AtomicU64 = AtomicU64::new(0);
    IDS.fetch_add(1, Ordering::Relaxed)
}

/// This thread's queue of `owner`. On first use (or when the task that served it has gone),
/// `start` is given the receiving end and spawns the task; it returns `None` when it cannot.
pub fn lane<Op: 'static>(
    owner: u64,
    start: impl FnOnce(UnboundedReceiver<Op>) -> Option<()>,
) -> Option<UnboundedSender<Op>> {
    let found = LANES.with(|l| {
        l.borrow().iter().find_map(|(id, q)| {
            (*id == owner && !q.closed())
                .then(|| q.as_any().downcast_ref::<UnboundedSender<Op>>().cloned())
                .flatten()
        })
    });
    if found.is_some() {
        return found;
    }
    let (queue, waiting) = unbounded_channel();
    start(waiting)?;
    LANES.with(|l| {
        let mut l = l.borrow_mut();
        l.retain(|(id, q)| *id != owner && !q.closed());
        l.push((owner, Box::new(queue.clone())));
    });
    Some(queue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_thread_keeps_one_lane_per_owner_and_replaces_a_closed_one() {
        let (a, b) = (owner_id(), owner_id());
        let mut started = 0;
        let mut keep = Vec::new();
        let qa = lane::<u32>(a, |rx| {
            started += 1;
            keep.push(rx);
            Some(())
        })
        .unwrap();
        let again = lane::<u32>(a, |_| panic!("a lane exists for this owner")).unwrap();
        assert!(again.same_channel(&qa));
        let qb = lane::<u32>(b, |rx| {
            started += 1;
            keep.push(rx);
            Some(())
        })
        .unwrap();
        assert!(!qb.same_channel(&qa));
        assert_eq!(started, 2);
        // The task of `a` has gone: the next call starts a new one.
        drop(keep.remove(0));
        let qa2 = lane::<u32>(a, |rx| {
            keep.push(rx);
            Some(())
        })
        .unwrap();
        assert!(!qa2.same_channel(&qa));
        assert!(lane::<u32>(owner_id(), |_| None).is_none());
    }
}
