//! Year on year: the class transitions between two runs, overall and per group.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, QueryFilter};

use super::counts_of;
use crate::result_entity as result;
use crate::run_entity::Model as Run;
use crate::status::ResultSubset;
use gaoxin_enterprises::entity::{self as enterprise, Model as Enterprise};
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;

/// Class transitions between two runs: for each enterprise in either, its class in the first
/// (or 未评价 / 不参评) and in the second; counted overall and per group (industry or carrier).
pub struct Transitions {
    /// Row and column labels (the classes of both schemes, then 不参评, 未评价).
    pub labels: Vec<String>,
    pub total: Vec<Vec<u64>>,
    pub groups: Vec<(String, Vec<Vec<u64>>)>,
}

pub const NOT_RANKED: &str = "不参评";
pub const NOT_EVALUATED: &str = "未评价";

pub async fn transitions(
    db: &Db,
    scope: &Scope,
    from: &Run,
    to: &Run,
    group_of: Option<impl Fn(&Enterprise) -> String>,
) -> Result<Transitions, AppError> {
    let mut labels: Vec<String> = Vec::new();
    for r in [from, to] {
        for (name, _) in counts_of(r).classes {
            if !labels.contains(&name) {
                labels.push(name);
            }
        }
    }
    labels.push(NOT_RANKED.into());
    labels.push(NOT_EVALUATED.into());
    // Only the three columns needed, not the explanations; those outside the scope are left
    // out (they count as 未评价).
    let classes = |run_id: i64| async move {
        use sea_orm::QuerySelect;
        let rows: Vec<(i64, Option<String>, String)> = scope
            .select::<result::Entity>()
            .filter(result::Column::RunId.eq(run_id))
            .select_only()
            .column(result::Column::EnterpriseId)
            .column(result::Column::ExclusionId)
            .column(result::Column::Class)
            .into_tuple()
            .all(db.conn())
            .await?;
        Ok::<HashMap<i64, String>, AppError>(
            rows.into_iter()
                .filter(|(_, x, _)| !ResultSubset::out_of_scope(x.as_deref()))
                .map(|(id, x, class)| (id, if x.is_some() { NOT_RANKED.to_string() } else { class }))
                .collect(),
        )
    };
    let a = classes(from.id).await?;
    let b = classes(to.id).await?;
    let mut ids: Vec<i64> = a.keys().chain(b.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    // The enterprises are read only to group them.
    let firms: HashMap<i64, Enterprise> = match &group_of {
        None => HashMap::new(),
        Some(_) => scope
            .select::<enterprise::Entity>()
            .all(db.conn())
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect(),
    };
    let n = labels.len();
    let index = |c: Option<&String>| {
        let c = c.map_or(NOT_EVALUATED, |s| s.as_str());
        labels.iter().position(|l| l == c).unwrap_or(n - 1)
    };
    let mut total = vec![vec![0u64; n]; n];
    let mut groups: std::collections::BTreeMap<String, Vec<Vec<u64>>> = Default::default();
    for id in ids {
        let (i, j) = (index(a.get(&id)), index(b.get(&id)));
        total[i][j] += 1;
        let Some(group_of) = &group_of else {
            continue;
        };
        let g = firms.get(&id).map(group_of).unwrap_or_default();
        let g = if g.is_empty() { "（未填）".to_string() } else { g };
        groups.entry(g).or_insert_with(|| vec![vec![0u64; n]; n])[i][j] += 1;
    }
    Ok(Transitions {
        labels,
        total,
        groups: groups.into_iter().collect(),
    })
}
