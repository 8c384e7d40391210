//! The public cache (Redis; a no-op backend when Redis is off). The write path calls
//! [`after_commit`] with the folded names (I4) a committed change affects.

use crate::startup::AppState;

/// Invalidates the public answers for `names` once their change has committed.
/// No cache is kept yet: the public lookup brings it, and fills this in.
pub async fn after_commit(_state: &AppState, _names: &[String]) {}
