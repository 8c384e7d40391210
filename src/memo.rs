//! Per-thread memos of pure functions on the request path (a name's folding, a client's hash): the
//! same inputs come again and again, and a pure function's memo cannot be stale.

use std::{borrow::Borrow, cell::RefCell, collections::HashMap, hash::Hash, thread::LocalKey};

/// One thread's memo.
pub type Memo<K, V> = RefCell<HashMap<K, V>>;

/// `f(key)`, remembered in this thread's `memo`, which is emptied when it holds `cap` entries.
pub fn remember<K, Q, V>(
    memo: &'static LocalKey<Memo<K, V>>,
    key: &Q,
    cap: usize,
    f: impl FnOnce(&Q) -> V,
) -> V
where
    K: Borrow<Q> + Hash + Eq,
    Q: ToOwned<Owned = K> + Hash + Eq + ?Sized,
    V: Clone,
{
    if let Some(v) = memo.with(|m| m.borrow().get(key).cloned()) {
        return v;
    }
    let v = f(key);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= cap {
            m.clear();
        }
        m.insert(key.to_owned(), v.clone());
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SQUARES: Memo<u32, u32> = RefCell::new(HashMap::new());
    }

    #[test]
    fn remembers_and_stays_within_its_cap() {
        let mut calls = 0;
        for _ in 0..3 {
            assert_eq!(
                remember(&SQUARES, &7, 4, |k| {
                    calls += 1;
                    k * k
                }),
                49
            );
        }
        assert_eq!(calls, 1);
        for k in 0..10 {
            assert_eq!(remember(&SQUARES, &k, 4, |k| k * k), k * k);
        }
        assert!(SQUARES.with(|m| m.borrow().len()) <= 4);
    }
}
