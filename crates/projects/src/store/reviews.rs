//! Admission reviews (准入评审): the score from the ticked checklist and the project's industry
//! per the rulebook, the suggested decision, and the decision recorded.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

use super::{project, rulebook_in_use};
use crate::entities::review;
use crate::status::ReviewDecision;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_rules::project_rules;

/// The admission reviews of one project, or of all, newest first.
pub async fn reviews(conn: &impl ConnectionTrait, scope: &Scope, id: Option<i64>) -> AppResult<Vec<review::Model>> {
    let mut q = scope.select::<review::Entity>();
    if let Some(id) = id {
        q = q.filter(review::Column::ProjectId.eq(id));
    }
    Ok(q.order_by_desc(review::Column::ReviewedOn)
        .order_by_desc(review::Column::Id)
        .all(conn)
        .await?)
}

/// Records an admission review: the score is computed from the ticked checklist and the
/// project's industry; a project on the negative list cannot be admitted.
pub async fn record_review(
    writer: &mut Writer,
    scope: &Scope,
    id: i64,
    ticked: &[String],
    decision: &str,
    note: &str,
    on: NaiveDate,
) -> AppResult<review::Model> {
    let p = project(writer.read(), scope, id).await?;
    let (rules, _) = rulebook_in_use(writer.read(), scope).await?;
    for t in ticked {
        if !rules.admission.checklist.iter().any(|c| &c.key == t) {
            return Err(AppError::field("checked", format!("评审要点“{t}”不在规则中")));
        }
    }
    let outcome = project_rules::review(&rules.admission, p.industry_code.as_deref(), ticked);
    let suggested = ReviewDecision::of(outcome.suggested)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("suggested decision {}", outcome.suggested)))?;
    let decision = match decision.trim() {
        "" => suggested,
        d => ReviewDecision::of(d)
            .ok_or_else(|| AppError::field("decision", format!("评审结论“{d}”应为准入、有条件准入或不予准入")))?,
    };
    if outcome.vetoed && decision != ReviewDecision::Reject {
        return Err(AppError::field("decision", "该项目行业属准入负面清单，只能不予准入"));
    }
    Ok(writer
        .insert_in_zone(review::ActiveModel {
            project_id: Set(id),
            reviewed_on: Set(on),
            rulebook_version: Set(rules.version.clone()),
            checked: Set(serde_json::to_string(ticked).unwrap_or_else(|_| "[]".into())),
            score: Set(outcome.score),
            explanation: Set(outcome.lines.join("\n")),
            suggested: Set(suggested.code().to_string()),
            decision: Set(decision.code().to_string()),
            note: Set(note.trim().to_string()),
            created_by: Set(Some(scope.caller().account_id)),
            ..Default::default()
        })
        .await?)
}
