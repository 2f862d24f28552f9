//! Work plans → task ledger → supervision → department scores. `parse` turns a plan document
//! into its tasks (pure).

pub mod cli;
pub mod parse;
