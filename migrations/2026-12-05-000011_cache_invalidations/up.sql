-- The public cache's invalidations owed (issue 21): a change that affects public answers writes the
-- folded names it affects here, in its own transaction; once it has committed and replaced their
-- generations in Redis, the request deletes the row. A row left behind (the request's future was
-- dropped between the commit and the invalidation: a shutdown deadline, a crash) is invalidated
-- by any live instance's sweeper a few seconds later (`src/cache/sweep.rs`), so no committed change
-- can leave a stale answer cached beyond that.
CREATE TABLE cache_invalidations (
    id         bigserial PRIMARY KEY,
    names      text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
