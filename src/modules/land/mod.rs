//! 亩均效益评价 (land-efficiency evaluation, issue 7): evaluating a scheme
//! (`crate::rules::land`, shipped in `rules/land/`) on the registry's facts of a year. So far
//! read-only, from the command line; runs, 公示, objections and clearance come next.

pub mod cli;
pub mod output;
pub mod shipped;
pub mod store;
