//! Feed cursors: the position `(transaction id, sequence)` of an event, encoded opaquely.
//! Events are read in that order and only below the oldest running transaction (`pg_snapshot_xmin`),
//! so an event that commits later always sorts after every event a reader has already passed.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{domain::ErrorCode, error::ApiError};

/// A cursor this service did not issue (400 `invalid_parameter` at the edge).
#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this service issued")]
pub struct BadCursor;

impl From<BadCursor> for ApiError {
    fn from(e: BadCursor) -> Self {
        ApiError::bad_request(ErrorCode::InvalidParameter, e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub txid: u64,
    pub seq: i64,
}

impl Cursor {
    pub const START: Cursor = Cursor { txid: 0, seq: 0 };

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.txid, self.seq))
    }

    pub fn decode(s: &str) -> Result<Cursor, BadCursor> {
        let bad = || BadCursor;
        let raw = URL_SAFE_NO_PAD.decode(s.trim()).map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (t, q) = text.split_once(':').ok_or_else(bad)?;
        Ok(Cursor {
            txid: t.parse().map_err(|_| bad())?,
            seq: q.parse().map_err(|_| bad())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn cursors_round_trip_and_order_by_transaction_first() {
        let c = Cursor { txid: 812, seq: 77 };
        assert_eq!(Cursor::decode(&c.encode()).ok(), Some(c));
        assert!(Cursor { txid: 813, seq: 1 } > c);
        assert!(Cursor::decode("nonsense!").is_err());
        assert!(Cursor::decode("").is_err());
    }
}
