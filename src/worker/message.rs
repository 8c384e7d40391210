//! What a claimed delivery sends: its message (the event as the feed shows it to the subscriber) and
//! the secrets that sign it.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{db::deliveries::Claimed, events::feed::event_json};

impl Claimed {
    /// The message id (`webhook-id`: the event id, the same on every retry) and the body: the event
    /// as the feed shows it to the subscriber, its items filtered to the subscriber's sector.
    pub fn message(&mut self) -> (String, Value) {
        if let Some(p) = self.payload.take() {
            let id = p["id"].as_str().unwrap_or_default().to_string();
            return (id, p);
        }
        let id = self.event_id.unwrap_or_default();
        let body = event_json(
            id,
            self.txid_text.as_deref().unwrap_or("0"),
            self.seq.unwrap_or(0),
            self.event_type.as_deref().unwrap_or_default(),
            self.occurred_at.unwrap_or_default(),
            self.data.take().unwrap_or(Value::Null),
            &self.items,
        );
        (id.to_string(), body)
    }

    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut s = vec![self.secret.as_str()];
        if let (Some(p), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && until > now
        {
            s.push(p.as_str());
        }
        s
    }
}
