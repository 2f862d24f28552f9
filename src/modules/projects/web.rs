//! Pages and API of the project ledger.

use crate::platform::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
}
