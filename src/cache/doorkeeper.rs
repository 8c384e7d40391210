//! Which names this process has looked up lately: the cache's admission rule. The first lookup of a
//! name (in this process, lately) is answered from PostgreSQL and stores nothing; from its second
//! lookup on, the name goes through the cache (its generation is read or created, its answer is
//! stored, then served). Most names the public types are looked up once — a cache that stored them
//! would pay a generation, a stored answer and their memory for answers nobody reads again — so a
//! cold lookup costs what a lookup without Redis costs (the rate limit still counts it in Redis).
//!
//! A fixed table of 32-bit fingerprints indexed by the name's hash: a name whose slot another name
//! took since is simply "not seen" again (one more PostgreSQL read). The rule decides only whether
//! the cache is used, never what it answers, so it cannot make an answer stale.

use std::sync::atomic::{AtomicU32, Ordering};

/// Slots in the table (4 MiB).
const SLOTS: usize = 1 << 20;

pub(super) struct Doorkeeper {
    slots: Box<[AtomicU32]>,
}

impl Default for Doorkeeper {
    fn default() -> Self {
        Doorkeeper {
            slots: (0..SLOTS).map(|_| AtomicU32::new(0)).collect(),
        }
    }
}

impl Doorkeeper {
    /// Whether the name with this hex hash was looked up lately; marks it looked up.
    pub fn seen(&self, name_hash: &str) -> bool {
        let bits = name_hash
            .get(..16)
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .unwrap_or(0);
        let slot = &self.slots[(bits as usize) & (SLOTS - 1)];
        // Never 0: an empty slot matches no name.
        let fingerprint = ((bits >> 32) as u32) | 1;
        slot.swap(fingerprint, Ordering::Relaxed) == fingerprint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::hash;

    #[test]
    fn a_name_is_seen_from_its_second_lookup_and_names_stay_apart() {
        let d = Doorkeeper::default();
        let (a, b) = (hash("张三"), hash("李四"));
        assert!(!d.seen(&a), "first lookup");
        assert!(d.seen(&a), "second lookup");
        assert!(!d.seen(&b), "another name");
        assert!(d.seen(&a) && d.seen(&b));
        // Two hashes with one slot (the same low 20 bits of their first 64): the one whose slot
        // the other took is "not seen" once, then seen again.
        let (c, rival) = ("0123456789abcdef00", "fedcba98765bcdef00");
        assert!(!d.seen(c) && d.seen(c));
        assert!(!d.seen(rival));
        assert!(!d.seen(c), "its slot was taken");
        assert!(d.seen(c));
    }
}
