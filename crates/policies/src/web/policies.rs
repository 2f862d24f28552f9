//! The policies pages: the policies in use (with the rule-file upload), one version's
//! articles, awards, variables, tests and history, and the policy evaluation report.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use rust_decimal::Decimal;

use super::{ctx_base, kind_choices};
use crate::compute::{self, wan, yuan};
use crate::store::{self, PolicyYear};
use crate::version_entity::Model as Version;
use gaoxin_core::roles::DEPARTMENT_EDITORS;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, PageCtx, render};

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    ctx: PageCtx,
    versions: Vec<Version>,
    can_upload: bool,
    error: Option<String>,
    kinds: Vec<(&'static str, &'static str)>,
}

pub(super) async fn policies_list(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    policies_page(&state, &scope, ctx, None).await
}

/// The policies page, with the reason an upload was refused.
pub(crate) async fn policies_page(
    state: &AppState,
    scope: &Scope,
    ctx: PageCtx,
    error: Option<String>,
) -> AppResult<Response> {
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    Ok(render(&PoliciesPage {
        ctx: ctx.crumb("nav.policies", ""),
        versions,
        can_upload: DEPARTMENT_EDITORS.contains(scope.role()),
        error,
        kinds: kind_choices(),
    }))
}

/// An award as shown on its policy's page.
struct AwardView {
    id: String,
    name: String,
    on: String,
    paid: &'static str,
    when: String,
    amount: String,
    caps: Vec<String>,
}

struct ArticleView {
    id: String,
    text: String,
    awards: Vec<AwardView>,
}

#[derive(Template)]
#[template(path = "version.html")]
struct VersionPage {
    ctx: PageCtx,
    v: Version,
    issuer: String,
    source_note: String,
    variables: Vec<(String, String, String, String)>,
    steps: Vec<(String, String, String)>,
    articles: Vec<ArticleView>,
    tests: Vec<(String, bool, String)>,
    history: Vec<Version>,
}

pub(super) async fn version_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let v = store::version_by_id(state.db.conn(), scope.zone_id(), id).await?;
    let set = compute::policy_set(&store::stored(std::slice::from_ref(&v))).map_err(AppError::BadRequest)?;
    let p = &set.policies[0];
    let mut articles: Vec<ArticleView> = Vec::new();
    for a in &p.awards {
        let view = AwardView {
            id: a.id.clone(),
            name: a.name.clone(),
            on: a
                .on
                .map(|k| k.label().to_string())
                .unwrap_or_else(|| "每个对象每年一次（年度数据）".into()),
            paid: if a.without_application {
                "免申即享"
            } else {
                "快申快享（须申请）"
            },
            when: a.when_source.clone().unwrap_or_else(|| "无".into()),
            amount: a.amount_source.clone(),
            caps: [
                a.cap_per_item
                    .map(|c| format!("每项最高 {} 元", yuan(compute::to_fen(c)))),
                a.cap_per_recipient_year
                    .map(|c| format!("每个对象每年最高 {} 元", yuan(compute::to_fen(c)))),
                a.cap_per_recipient_total
                    .map(|c| format!("每个对象累计最高 {} 元", yuan(compute::to_fen(c)))),
                a.budget.map(|c| format!("年度总预算 {} 元", yuan(compute::to_fen(c)))),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        match articles.last_mut() {
            Some(last) if last.id == a.article_id => last.awards.push(view),
            _ => articles.push(ArticleView {
                id: a.article_id.clone(),
                text: a.article_text.clone(),
                awards: vec![view],
            }),
        }
    }
    let tests = gaoxin_rules::eval::run_tests(&set.policies, &set.slots, &set.kinds)
        .into_iter()
        .map(|r| (r.name, r.failures.is_empty(), r.failures.join("；")))
        .collect();
    let history = store::versions_of_policy(&state.db, &scope, &v.policy_id).await?;
    Ok(render(&VersionPage {
        ctx: ctx_base(ctx).crumb_text(v.document_number.clone(), ""),
        issuer: p.issuer.clone(),
        source_note: p.source.clone().unwrap_or_default(),
        variables: p
            .variables
            .iter()
            .map(|x| {
                (
                    x.name.clone(),
                    x.label.clone(),
                    x.unit.clone().unwrap_or_default(),
                    x.from.map(|f| format!("{}（{}）", f.label, f.name)).unwrap_or_default(),
                )
            })
            .collect(),
        steps: p
            .steps
            .iter()
            .map(|s| (s.name.clone(), s.label.clone(), s.source.clone()))
            .collect(),
        articles,
        tests,
        history,
        v,
    }))
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    ctx: PageCtx,
    /// (row, title, amount in 万元, budget in 万元 and the share used)
    rows: Vec<(PolicyYear, String, String, String)>,
}

pub(super) async fn evaluation_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let rows = store::evaluation(&state.db, &scope).await?;
    let versions = store::active_versions(state.db.conn(), scope.zone_id()).await?;
    let titles: HashMap<String, String> = versions
        .iter()
        .map(|v| (v.policy_id.clone(), format!("{} {}", v.document_number, v.title)))
        .collect();
    // The yearly budget of a policy: the sum of its awards' budgets (in the version in use).
    let set = compute::policy_set(&store::stored(&versions)).map_err(AppError::BadRequest)?;
    let budgets: HashMap<String, i64> = set
        .policies
        .iter()
        .filter_map(|p| compute::yearly_budget(p).map(|b| (p.id.clone(), b)))
        .collect();
    Ok(render(&EvaluationPage {
        ctx: ctx_base(ctx).crumb("policy.evaluation", ""),
        rows: rows
            .into_iter()
            .map(|r| {
                let title = titles.get(&r.policy).cloned().unwrap_or_else(|| r.policy.clone());
                let amount = wan(r.amount);
                let budget = budgets
                    .get(&r.policy)
                    .filter(|b| **b > 0)
                    .map(|b| {
                        let used = gaoxin_rules::expr::round_half_up(
                            Decimal::from(r.amount) * Decimal::ONE_HUNDRED / Decimal::from(*b),
                            1,
                        );
                        format!("{}（已用 {}%）", wan(*b), used.normalize())
                    })
                    .unwrap_or_else(|| "—".into());
                (r, title, amount, budget)
            })
            .collect(),
    }))
}
