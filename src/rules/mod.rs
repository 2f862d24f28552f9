//! The rules engine: gaoxin's own small, typed, non-Turing-complete expression language
//! (`expr`), dated policy files (`policy`), and their evaluation over cases with caps applied in
//! a documented order (`eval`). Pure: no web framework, no database.

pub mod cli;
pub mod eval;
pub mod expr;
pub mod ladder;
pub mod matching;
pub mod policy;
pub mod sources;
