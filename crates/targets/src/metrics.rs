//! The catalogue of computed targets: a figure gaoxin obtains from its own data — firms newly
//! recognised, projects signed, started and in production and their investment, policy money
//! approved, tasks confirmed done — each with a one-line definition, and the firms, projects,
//! batches or tasks behind it, so that a leader can open any number and see what makes it.
//! A figure is counted by the date of its event within the target's period up to the day asked
//! for, so that a past month reads as it stood.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use gaoxin_enterprises::entity as enterprise;
use gaoxin_plans::task_entity as task;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_policies::{batch_entity as batch, event_entity as event};
use gaoxin_projects::entities::{project, transition};

/// What a metric counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Firms recognised for the first time in a tier (the policy event 认定, by its category).
    FirstRecognised(&'static str),
    /// Projects entering a stage.
    ProjectsEntering(&'static str),
    /// The total investment of projects entering a stage, 亿元.
    InvestmentEntering(&'static str),
    /// Payment batches approved, 万元.
    MoneyApproved,
    /// Ledger tasks confirmed done.
    TasksConfirmed,
}

/// A metric of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub definition: &'static str,
    source: Source,
}

pub const CATALOGUE: &[Metric] = &[
    Metric {
        code: "recognised.high_tech",
        name: "新认定高新技术企业",
        unit: "家",
        definition: "期间内首次认定为高新技术企业的企业数：政策事件“认定”，类别“高新技术企业”且为首次，按认定日期",
        source: Source::FirstRecognised("高新技术企业"),
    },
    Metric {
        code: "recognised.tech_sme",
        name: "入库科技型中小企业",
        unit: "家",
        definition: "期间内首次入库的科技型中小企业数：政策事件“认定”，类别“科技型中小企业”且为首次，按入库日期",
        source: Source::FirstRecognised("科技型中小企业"),
    },
    Metric {
        code: "recognised.specialised",
        name: "新认定专精特新中小企业",
        unit: "家",
        definition: "期间内首次认定为专精特新中小企业的企业数，按认定日期",
        source: Source::FirstRecognised("专精特新中小企业"),
    },
    Metric {
        code: "projects.signed",
        name: "新签约项目",
        unit: "个",
        definition: "期间内转入“签约”阶段的招商项目数，按转段日期",
        source: Source::ProjectsEntering("signed"),
    },
    Metric {
        code: "projects.started",
        name: "新开工项目",
        unit: "个",
        definition: "期间内转入“开工”阶段的招商项目数，按转段日期",
        source: Source::ProjectsEntering("started"),
    },
    Metric {
        code: "projects.producing",
        name: "新投产项目",
        unit: "个",
        definition: "期间内转入“投产”阶段的招商项目数，按转段日期",
        source: Source::ProjectsEntering("producing"),
    },
    Metric {
        code: "projects.signed_investment",
        name: "新签约项目总投资",
        unit: "亿元",
        definition: "期间内转入“签约”阶段的招商项目总投资之和（亿元）",
        source: Source::InvestmentEntering("signed"),
    },
    Metric {
        code: "policies.approved",
        name: "政策兑现资金",
        unit: "万元",
        definition: "期间内审批通过的兑现批次金额之和（万元），按审批日期",
        source: Source::MoneyApproved,
    },
    Metric {
        code: "plans.tasks_confirmed",
        name: "重点任务确认完成",
        unit: "项",
        definition: "工作台账中确认完成、完成日期在期间内的任务数",
        source: Source::TasksConfirmed,
    },
];

pub fn by_code(code: &str) -> Option<&'static Metric> {
    CATALOGUE.iter().find(|m| m.code == code.trim())
}

/// One thing behind a computed figure.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Item {
    pub name: String,
    pub date: String,
    /// What it adds to the figure (1 for a count, an amount otherwise).
    pub adds: String,
    /// Its page.
    pub href: String,
}

/// The figure of `metric` counted over `from ..= to`, and what makes it (by date).
pub async fn actual<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    metric: &Metric,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<(Decimal, Vec<Item>)> {
    let mut items = Vec::new();
    let mut total = Decimal::ZERO;
    if to < from {
        return Ok((total, items));
    }
    match metric.source {
        Source::FirstRecognised(category) => {
            let events = scope
                .select::<event::Entity>()
                .filter(event::Column::Kind.eq("recognition"))
                .filter(event::Column::Category.eq(category))
                .filter(event::Column::FirstTime.eq(true))
                .filter(event::Column::OccurredOn.between(from, to))
                .order_by_asc(event::Column::OccurredOn)
                .all(conn)
                .await?;
            let ids: Vec<i64> = events.iter().map(|e| e.enterprise_id).collect();
            let firms = scope
                .select::<enterprise::Entity>()
                .filter(enterprise::Column::Id.is_in(ids))
                .all(conn)
                .await?;
            let mut seen = std::collections::HashSet::new();
            for e in events {
                if !seen.insert(e.enterprise_id) {
                    continue;
                }
                let name = firms
                    .iter()
                    .find(|f| f.id == e.enterprise_id)
                    .map_or_else(String::new, |f| f.name.clone());
                total += Decimal::ONE;
                items.push(Item {
                    name,
                    date: e.occurred_on.to_string(),
                    adds: "1".into(),
                    href: format!("/enterprises/{}", e.enterprise_id),
                });
            }
        }
        Source::ProjectsEntering(stage) | Source::InvestmentEntering(stage) => {
            let moves = scope
                .select::<transition::Entity>()
                .filter(transition::Column::ToStage.eq(stage))
                .filter(transition::Column::OnDate.between(from, to))
                .order_by_asc(transition::Column::OnDate)
                .all(conn)
                .await?;
            let ids: Vec<i64> = moves.iter().map(|m| m.project_id).collect();
            let projects = scope
                .select::<project::Entity>()
                .filter(project::Column::Id.is_in(ids))
                .all(conn)
                .await?;
            let mut seen = std::collections::HashSet::new();
            for m in moves {
                if !seen.insert(m.project_id) {
                    continue;
                }
                let Some(p) = projects.iter().find(|p| p.id == m.project_id) else {
                    continue;
                };
                let adds = match metric.source {
                    // fen → 亿元
                    Source::InvestmentEntering(_) => {
                        Decimal::from(p.total_investment) / Decimal::from(10_000_000_000_i64)
                    }
                    _ => Decimal::ONE,
                };
                total += adds;
                items.push(Item {
                    name: p.name.clone(),
                    date: m.on_date.to_string(),
                    adds: adds.normalize().to_string(),
                    href: format!("/projects/{}", p.id),
                });
            }
        }
        Source::MoneyApproved => {
            let batches = scope
                .select::<batch::Entity>()
                .filter(batch::Column::ApprovedAt.is_not_null())
                .order_by_asc(batch::Column::ApprovedAt)
                .all(conn)
                .await?;
            for b in batches {
                let Some(day) = b.approved_at.map(|t| gaoxin_core::clock::local_date(&t)) else {
                    continue;
                };
                if day < from || day > to {
                    continue;
                }
                // fen → 万元
                let adds = Decimal::from(b.total) / Decimal::from(1_000_000);
                total += adds;
                items.push(Item {
                    name: b.title.clone(),
                    date: day.to_string(),
                    adds: adds.normalize().to_string(),
                    href: format!("/policies/batches/{}", b.id),
                });
            }
        }
        Source::TasksConfirmed => {
            let tasks = scope
                .select::<task::Entity>()
                .filter(task::Column::Status.eq("confirmed"))
                .filter(task::Column::DoneOn.between(from, to))
                .order_by_asc(task::Column::DoneOn)
                .all(conn)
                .await?;
            for t in tasks {
                total += Decimal::ONE;
                items.push(Item {
                    name: t.text.chars().take(60).collect(),
                    date: t.done_on.map(|d| d.to_string()).unwrap_or_default(),
                    adds: "1".into(),
                    href: format!("/plans/tasks/{}", t.id),
                });
            }
        }
    }
    Ok((total, items))
}
