//! The task ledger of the demo zone: the zone's own 工作方案 (seed 002, 17 tasks) as this
//! year's plan with deadlines spread over the year, progress reported, some completed and
//! confirmed (a few late), some overdue with 督办单 (one answered and closed), and the example
//! scoring scheme loaded. Its own generator, so that earlier data stays the same per seed.

use chrono::{Datelike, NaiveDate};
use gaoxin_plans::task_entity::Model as Task;
use gaoxin_plans::{scores, store as plans};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppError;
use gaoxin_rules::plan_parser as parse;

use super::rng::Rng;

fn err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The plan, its tasks' reports and orders, and the scoring scheme.
pub(super) async fn demo_plans(writer: &mut Writer, admin: &Scope, seed: u64) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed ^ 0x9a7e_0008);
    let today = admin.today();
    let year = today.year();
    let parsed = parse::parse_text(include_str!("../../data/demo/xinxiang-gaoxin-plan.txt"));
    let departments = plans::departments_in(writer, admin).await.map_err(err)?;
    let tasks = new_tasks(&mut rng, &parsed, &departments, year);
    let plan = plans::create_plan(
        writer,
        admin,
        &format!("{year}年新乡高新区深化改革创新加快推动高质量发展工作方案"),
        year,
        parsed.document_number.clone(),
        Some("xinxiang-gaoxin-plan.txt".into()),
        tasks,
    )
    .await
    .map_err(err)?;
    let lines = plans::ledger_of_plan(writer, admin, plan.id, today)
        .await
        .map_err(err)?;
    let mut supervised = 0;
    for line in lines {
        let t = &line.task;
        let Some(due) = t.due_date else { continue };
        report(writer, admin, &mut rng, t, due, today, &mut supervised).await?;
    }
    scores::load_scheme(writer, admin.zone_id(), scores::SHIPPED.0, scores::SHIPPED.1, None)
        .await
        .map_err(err)?;
    Ok(())
}

/// The parsed plan's tasks, each due by the end of June, September or the year.
fn new_tasks(
    rng: &mut Rng,
    parsed: &parse::ParsedPlan,
    departments: &[gaoxin_platform::departments::entity::Model],
    year: i32,
) -> Vec<plans::NewTask> {
    let deadlines = [("6月底前", 6), ("9月底前", 9), ("全年", 12)];
    let mut tasks = Vec::new();
    for t in &parsed.tasks {
        let (text, month) = deadlines[rng.below(3)];
        let mut departments_of = Vec::new();
        for (role, names) in [("lead", &t.lead), ("cooperating", &t.cooperating)] {
            for n in names {
                departments_of.push(plans::NewDepartment {
                    role: role.into(),
                    written: n.clone(),
                    department_id: plans::match_written(n, departments),
                });
            }
        }
        tasks.push(plans::NewTask {
            reference: t.reference.clone(),
            section: t.section.join(" / "),
            text: t.text.clone(),
            deadline: Some(text.into()),
            due_date: parse::deadline::due_date(text, Some(year)).or(NaiveDate::from_ymd_opt(year, month, 28)),
            start_date: None,
            departments: departments_of,
            targets: t
                .targets
                .iter()
                .map(|g| plans::NewTarget {
                    text: g.text.clone(),
                    value: g.value.normalize().to_string(),
                    unit: g.unit.clone(),
                })
                .collect(),
        });
    }
    tasks
}

/// A progress report at `p` percent.
fn reported(p: i32) -> plans::NewReport {
    plans::NewReport {
        kind: "progress".into(),
        note: format!("已按计划推进，完成阶段性工作（{p}%）"),
        percent: Some(p),
        actuals: Vec::new(),
    }
}

/// One task's reports (it is due on `due`; the ledger is as of `today`): completed and confirmed, overdue with a 督办单 (the first one answered
/// and closed; `supervised` counts them), or running.
async fn report(
    writer: &mut Writer,
    admin: &Scope,
    rng: &mut Rng,
    t: &Task,
    due: NaiveDate,
    today: NaiveDate,
    supervised: &mut i32,
) -> anyhow::Result<()> {
    let roll = rng.below(10);
    if due < today && roll < 7 {
        // Completed: on time mostly, a few late; the supervisor confirmed.
        let done_on = if roll < 5 {
            due - chrono::Duration::days(rng.below(20) as i64)
        } else {
            due + chrono::Duration::days(5 + rng.below(20) as i64)
        };
        plans::file_report(writer, admin, t.id, reported(60), Vec::new(), done_on)
            .await
            .map_err(err)?;
        let done = plans::NewReport {
            kind: "completion".into(),
            note: "任务已完成，佐证材料已归档".into(),
            percent: None,
            actuals: Vec::new(),
        };
        plans::file_report(writer, admin, t.id, done, Vec::new(), done_on.min(today))
            .await
            .map_err(err)?;
        plans::confirm(
            writer,
            admin,
            t.id,
            true,
            "",
            (done_on + chrono::Duration::days(3)).min(today),
        )
        .await
        .map_err(err)?;
    } else if due < today {
        // Overdue: a 督办单; the first one answered and closed.
        plans::file_report(
            writer,
            admin,
            t.id,
            reported(40 + rng.below(40) as i32),
            Vec::new(),
            today,
        )
        .await
        .map_err(err)?;
        let issued = (due + chrono::Duration::days(7)).min(today);
        let order = plans::issue_order(
            writer,
            admin,
            t.id,
            "超过完成时限未完成，请说明原因并明确完成时间",
            Some(issued + chrono::Duration::days(10)),
            issued,
        )
        .await
        .map_err(err)?;
        if *supervised == 0 {
            let answer = plans::NewReport {
                kind: "progress".into(),
                note: "已制定整改计划，预计月底前完成".into(),
                percent: Some(95),
                actuals: Vec::new(),
            };
            plans::file_report(writer, admin, t.id, answer, Vec::new(), today)
                .await
                .map_err(err)?;
            plans::close_order(writer, admin, order.id, "已核实整改计划", today)
                .await
                .map_err(err)?;
        }
        *supervised += 1;
    } else {
        // Running: some ahead of the time-elapsed schedule, some behind.
        let expected = gaoxin_core::clock::expected_percent(t.start_date, due, today);
        let p = (expected + rng.below(30) as i32 - 15).clamp(5, 95);
        plans::file_report(writer, admin, t.id, reported(p), Vec::new(), today)
            .await
            .map_err(err)?;
    }
    Ok(())
}
