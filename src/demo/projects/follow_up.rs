//! Following the demo projects up: blocking problems (resolved on time, late, open, overdue
//! and escalated), admission reviews, the weekly meetings with decisions, this year's targets
//! and the leader's comments.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use gaoxin_core::roles::Role;
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::{Caller, Credential, Scope};
use gaoxin_projects::{domain as book, store as projects};

use super::templates::PROJECT_PROBLEMS;
use super::{Ctx, Made, err, month_of};
use crate::demo::rng::Rng;

/// A problem left unresolved: its id, its project's id and how it stands (`open`,
/// `overdue`, `escalated`).
type Unresolved = (i64, i64, &'static str);

/// Problems, then (on the book as it stands after them) reviews, meetings, targets and
/// comments.
pub(super) async fn follow_up(writer: &mut Writer, ctx: &Ctx<'_>, rng: &mut Rng, made: &[Made]) -> anyhow::Result<()> {
    let problem_ids = problems(writer, ctx, rng, made).await?;
    let current = projects::book(writer.read(), ctx.admin).await.map_err(err)?;
    reviews(writer, ctx, &current).await?;
    meetings(writer, ctx, rng, &current).await?;
    targets(writer, ctx).await?;
    comments(writer, ctx, &current, &problem_ids).await
}

/// Blocking problems: on projects signed or later, the stalled ones more often. Returns
/// those left unresolved.
async fn problems(writer: &mut Writer, ctx: &Ctx<'_>, rng: &mut Rng, made: &[Made]) -> anyhow::Result<Vec<Unresolved>> {
    let admin = ctx.admin;
    let mut problem_ids = Vec::new();
    for k in 0..40usize {
        // resolved on time (the first three last month), late, open, overdue, escalated
        let kind = match k % 10 {
            0..=2 => "on_time",
            3 => "late",
            4 if k < 20 => "on_time",
            4 => "late",
            5 | 6 => "open",
            7 => "overdue",
            _ => "escalated",
        };
        let (raised, deadline, resolved) = problem_dates(rng, ctx.today, k, kind);
        let (title, detail, lead, cooperating, answer, from_stage) = *rng.pick(PROJECT_PROBLEMS);
        let candidates: Vec<&Made> = made
            .iter()
            .filter(|(_, created, stage, ..)| *stage >= from_stage.max(1) && *created <= raised)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let stalled: Vec<&&Made> = candidates.iter().filter(|c| c.3).collect();
        let project = if !stalled.is_empty() && rng.below(3) == 0 {
            **rng.pick(&stalled)
        } else {
            *rng.pick(&candidates)
        };
        let q = projects::raise_problem(
            writer,
            admin,
            project.0,
            &projects::NewProblem {
                title: title.to_string(),
                detail: detail.to_string(),
                lead_department_id: ctx.department(lead),
                cooperating_department_ids: cooperating.iter().filter_map(|c| ctx.department(c)).collect(),
                deadline: Some(deadline.max(raised)),
            },
            raised,
        )
        .await
        .map_err(err)?;
        if let Some(on) = resolved {
            projects::resolve_problem(writer, admin, q.id, answer, on.max(raised), ctx.today)
                .await
                .map_err(err)?;
        } else {
            problem_ids.push((q.id, project.0, kind));
        }
    }
    Ok(problem_ids)
}

/// The `k`-th problem's dates by how it stands: raised, deadline, resolved.
fn problem_dates(rng: &mut Rng, today: NaiveDate, k: usize, kind: &str) -> (NaiveDate, NaiveDate, Option<NaiveDate>) {
    let last_month_end = month_of(today) - Duration::days(1);
    let back = |rng: &mut Rng, lo: i64, hi: i64| today - Duration::days(lo + rng.below((hi - lo) as usize) as i64);
    match kind {
        "on_time" if k < 3 => {
            let done = last_month_end - Duration::days(rng.below(25) as i64);
            let raised = done - Duration::days(5 + rng.below(20) as i64);
            (raised, done + Duration::days(rng.below(10) as i64), Some(done))
        }
        "on_time" => {
            let raised = back(rng, 40, 220);
            let deadline = raised + Duration::days(20 + rng.below(25) as i64);
            (
                raised,
                deadline,
                Some(raised + Duration::days(5 + rng.below(15) as i64)),
            )
        }
        "late" => {
            let raised = back(rng, 60, 220);
            let deadline = raised + Duration::days(15 + rng.below(15) as i64);
            (
                raised,
                deadline,
                Some((deadline + Duration::days(3 + rng.below(22) as i64)).min(today)),
            )
        }
        "open" => {
            let raised = back(rng, 0, 15);
            (raised, today + Duration::days(1 + rng.below(25) as i64), None)
        }
        "overdue" => {
            let raised = back(rng, 25, 45);
            (raised, today - Duration::days(1 + rng.below(6) as i64), None)
        }
        _ => {
            let raised = back(rng, 45, 120);
            let deadline = (raised + Duration::days(15 + rng.below(20) as i64)).min(today - Duration::days(9));
            (raised, deadline, None)
        }
    }
}

/// Admission reviews: three projects in talks, and the cement plant refused on the negative
/// list; then the review meeting that proposed them.
async fn reviews(writer: &mut Writer, ctx: &Ctx<'_>, current: &book::Book) -> anyhow::Result<()> {
    let (admin, rules, today) = (ctx.admin, &ctx.rules, ctx.today);
    let all_checks: Vec<String> = rules.admission.checklist.iter().map(|c| c.key.clone()).collect();
    let in_talks: Vec<&book::Project> = current
        .projects
        .iter()
        .filter(|p| p.stage == rules.stages[0].key)
        .collect();
    let mut reviewed = Vec::new();
    let cement = in_talks.iter().find(|p| p.industry_code.as_deref() == Some("3011"));
    let planned: Vec<&&book::Project> = in_talks
        .iter()
        .filter(|p| {
            let code = p.industry_code.as_deref().unwrap_or("");
            rules.admission.industries.iter().any(|i| code.starts_with(&i.prefix))
        })
        .collect();
    for (i, p) in planned.iter().take(3).map(|p| **p).chain(cement.copied()).enumerate() {
        let ticked: Vec<String> = match i {
            0 | 1 => all_checks.clone(),
            2 => all_checks.iter().take(2).cloned().collect(),
            _ => all_checks.clone(),
        };
        let note = match i {
            0 => "符合园区产业规划，同意准入，请投促局加快推进签约。",
            1 => "同意准入，建议进一步落实项目用地。",
            2 => "有条件准入：须在签约前补充能耗和排放论证材料。",
            _ => "属准入负面清单，不予准入，请投促局做好解释工作。",
        };
        let on = (today - Duration::days(3 + 14 * i as i64)).max(p.stage_since);
        projects::record_review(writer, admin, p.id, &ticked, "", note, on)
            .await
            .map_err(err)?;
        reviewed.push(projects::Proposed {
            project_id: p.id,
            problem_id: None,
            reason: format!("准入评审：{}", p.name),
        });
    }
    if !reviewed.is_empty() {
        let held = today - Duration::days(3);
        projects::create_meeting(writer, admin, "review", held, "项目准入评审会（双周一评审）", &reviewed)
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// Two weekly meetings (一周一会办) on the last two Mondays, with decisions.
async fn meetings(writer: &mut Writer, ctx: &Ctx<'_>, rng: &mut Rng, current: &book::Book) -> anyhow::Result<()> {
    let (admin, today) = (ctx.admin, ctx.today);
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let department_names: HashMap<i64, &str> = ctx.departments.iter().map(|(n, id)| (*id, *n)).collect();
    for (w, held) in [monday - Duration::days(7), monday].into_iter().enumerate() {
        let mut items = projects::agenda(&current.as_of(held), held + Duration::days(6), held);
        items.truncate(10);
        let m = projects::create_meeting(
            writer,
            admin,
            "weekly",
            held,
            &format!(
                "重大项目推进周会办会（{}年第{}周）",
                held.year(),
                held.iso_week().week()
            ),
            &items,
        )
        .await
        .map_err(err)?;
        let (_, items) = projects::meeting(writer.read(), admin, m.id).await.map_err(err)?;
        for item in items.iter().take(if w == 0 { 6 } else { 3 }) {
            let lead = item
                .problem_id
                .and_then(|q| current.problems.iter().find(|x| x.id == q))
                .map(|q| q.lead_department_id)
                .or(ctx.department("投资促进局"));
            let who = lead
                .and_then(|d| department_names.get(&d))
                .copied()
                .unwrap_or("投资促进局");
            let days = 7 + rng.below(8) as i64;
            let decision = if item.problem_id.is_some() {
                format!("由{who}牵头，会同配合部门{days}日内协调解决，结果报管委会办公室。")
            } else {
                format!("由{who}约谈投资方，摸清停滞原因，{days}日内提出推进方案。")
            };
            projects::record_decision(
                writer,
                admin,
                item.id,
                &decision,
                lead,
                Some(held + Duration::days(days)),
            )
            .await
            .map_err(err)?;
        }
    }
    Ok(())
}

/// This year's targets.
async fn targets(writer: &mut Writer, ctx: &Ctx<'_>) -> anyhow::Result<()> {
    for (metric, label, value) in [
        ("major_signed", "“12345”招商目标：超亿元项目签约", "41"),
        ("major_started", "超亿元项目开工", "16"),
        ("major_producing", "超亿元项目投产", "14"),
        ("signed_amount", "签约项目总投资（亿元）", "370"),
        ("investment", "重大项目完成投资（亿元）", "120"),
    ] {
        projects::save_target(writer, ctx.admin, ctx.today.year(), metric, label, value)
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// The leader's comments (批示) on his projects and on escalated problems.
async fn comments(
    writer: &mut Writer,
    ctx: &Ctx<'_>,
    current: &book::Book,
    problem_ids: &[Unresolved],
) -> anyhow::Result<()> {
    let (admin, rules, today, leader_id) = (ctx.admin, &ctx.rules, ctx.today, ctx.leader_id);
    if leader_id <= 0 {
        return Ok(());
    }
    let leader = Scope::new(
        Caller {
            account_id: leader_id,
            username: "leader".into(),
            display_name: "李明".into(),
            role: Role::Leader,
            zone: Some(admin.zone().clone()),
            department_id: None,
            enterprise_id: None,
            locale: Default::default(),
            credential: Credential::Token { id: 0 },
        },
        admin.zone().clone(),
        None,
        admin.clock(),
    );
    // On his own projects: one in talks or signed, one waiting for land, one stalled.
    let mine: Vec<&book::Project> = current
        .projects
        .iter()
        .filter(|p| p.leader_account_id == Some(leader_id))
        .collect();
    let position = |p: &book::Project| rules.position(&p.stage);
    let stalled = |p: &book::Project| rules.stalled(&p.stage, p.stage_since, today).is_some();
    let picks = [
        (
            mine.iter().find(|p| position(p) <= 1 && !stalled(p)),
            "该项目是今年“12345”招商的重点，请投促局倍加关注，每月报送进展。",
        ),
        (
            mine.iter().find(|p| position(p) == 2 && !stalled(p)),
            "请国规局加快办理规划和施工许可手续，确保按计划开工。",
        ),
        (
            mine.iter().find(|p| stalled(p)),
            "停滞时间较长，请牵头部门在下周会办会上专题汇报原因和推进措施。",
        ),
    ];
    for (p, text) in picks {
        if let Some(p) = p {
            projects::add_comment(writer, &leader, p.id, None, text)
                .await
                .map_err(err)?;
        }
    }
    for (q, project, _) in problem_ids.iter().filter(|(.., kind)| *kind == "escalated").take(2) {
        projects::add_comment(
            writer,
            &leader,
            *project,
            Some(*q),
            "此问题已逾期升级，请牵头部门主要负责同志亲自协调，本周五前反馈结果。",
        )
        .await
        .map_err(err)?;
    }
    Ok(())
}
