//! `shixin seed --listings N` (filled in below).
