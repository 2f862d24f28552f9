//! 亩均效益评价 on the database: the facts a scheme reads from the registry, scheme versions,
//! runs and their explained results, 公示 and objections, class adjustments, differentiated
//! policies, D-class clearance cases and year-on-year transitions: queries (always within one
//! zone; an enterprise user sees only its own enterprise, and only published runs) and audited
//! writes. Every item is reachable as `store::…`; the files say what each part serves.

mod clearance;
mod evaluate;
mod facts;
mod measures;
mod objections;
mod results;
mod runs;
mod schemes;
mod transitions;

pub use clearance::*;
pub use evaluate::*;
pub use facts::*;
pub use gaoxin_platform::versions::Loaded;
pub use measures::*;
pub use objections::*;
pub use results::*;
pub use runs::*;
pub use schemes::*;
pub use transitions::*;

use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;
use sea_orm::{EntityTrait, PaginatorTrait};

/// The total and one page of a query (every row when `all`).
pub(crate) async fn paged<E>(
    db: &Db,
    select: sea_orm::Select<E>,
    page: Option<u64>,
    per_page: Option<u64>,
    all: bool,
) -> Result<(Vec<E::Model>, u64), AppError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let total = select.clone().count(db.conn()).await?;
    let rows = if all {
        select.all(db.conn()).await?
    } else {
        let p = PageParams { page, per_page };
        select
            .paginate(db.conn(), p.per_page())
            .fetch_page(p.page().saturating_sub(1))
            .await?
    };
    Ok((rows, total))
}
