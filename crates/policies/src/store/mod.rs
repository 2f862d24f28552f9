//! Policy versions, events, payment batches and award lines: queries (always within one zone;
//! an enterprise user sees only its own) and audited writes. Each part lives in its own file;
//! everything is reachable as `store::…`.

mod awards;
mod batches;
mod computing;
mod diff;
mod event_rows;
mod versions;
mod what_if;

pub use awards::*;
pub use batches::*;
pub use computing::*;
pub use diff::*;
pub use event_rows::*;
pub use versions::*;
pub use what_if::*;

/// What loading a rule file did (the ladder crate names it here too).
pub use gaoxin_platform::versions::Loaded;
