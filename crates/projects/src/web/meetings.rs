//! Meetings: the week's proposed 会办 agenda and holding the meeting with the items picked,
//! the past meetings, one meeting's items with the decision recorded on each.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, Days, NaiveDate};

use super::{Fields, choices};
use crate::domain::ProblemLine;
use crate::entities::{meeting as meeting_row, meeting_item};
use crate::status::MeetingKind;
use crate::store::{self, Proposed};
use gaoxin_core::roles::Role;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::web::{Id, PageCtx, WebForm, finish, render};

/// Monday and Sunday of the week holding `d`.
fn week_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = d - Days::new(d.weekday().num_days_from_monday() as u64);
    (monday, monday + Days::new(6))
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    ctx: PageCtx,
    meetings: Vec<meeting_row::Model>,
    proposed: Vec<(Proposed, String)>,
    week: (NaiveDate, NaiveDate),
    is_admin: bool,
    today: NaiveDate,
}

impl MeetingsPage {
    fn kind<'a>(&self, k: &'a str) -> &'a str {
        MeetingKind::label_of(k)
    }
}

pub(super) async fn meetings_page(State(state): State<AppState>, scope: Scope, ctx: PageCtx) -> AppResult<Response> {
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let week = week_of(t);
    let proposed = store::agenda(&book, week.1, t)
        .into_iter()
        .map(|p| {
            let name = book
                .project(p.project_id)
                .map(|x| format!("{} {}", x.code, x.name))
                .unwrap_or_default();
            (p, name)
        })
        .collect();
    Ok(render(&MeetingsPage {
        ctx: ctx.crumb("nav.projects", "/projects").crumb("projects.meetings", ""),
        meetings: store::meetings(state.db.conn(), &scope).await?,
        proposed,
        week,
        is_admin: scope.role() == Role::Admin,
        today: t,
    }))
}

pub(super) async fn meeting_create(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = "/projects/meetings";
    let result = async {
        let t = scope.today();
        let held_on = f.date("held_on", "会议日期")?.unwrap_or(t);
        let book = store::book(state.db.conn(), &scope).await?;
        let proposed = store::agenda(&book, week_of(held_on).1, t);
        let picked = f.all("item");
        let items: Vec<Proposed> = proposed.into_iter().filter(|p| picked.contains(&item_key(p))).collect();
        if items.is_empty() {
            return Err(AppError::field("item", "请至少选择一个议题"));
        }
        let mut writer = scope.writer(&state).await?;
        let m = store::create_meeting(
            &mut writer,
            &scope,
            MeetingKind::Weekly.code(),
            held_on,
            &f.get("title"),
            &items,
        )
        .await?;
        writer.commit().await?;
        Ok((
            format!("/projects/meetings/{}", m.id),
            format!("已生成会办议程，共 {} 项", items.len()),
        ))
    }
    .await;
    finish(&state, &headers, back, result)
}

fn item_key(p: &Proposed) -> String {
    match p.problem_id {
        Some(q) => format!("q{q}"),
        None => format!("p{}", p.project_id),
    }
}

/// An agenda item with what the page shows beside it.
struct ItemLine {
    item: meeting_item::Model,
    project: String,
    problem: Option<ProblemLine>,
    department: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    ctx: PageCtx,
    meeting: meeting_row::Model,
    items: Vec<ItemLine>,
    departments: Vec<(i64, String)>,
    is_admin: bool,
}

pub(super) async fn meeting_page(
    State(state): State<AppState>,
    scope: Scope,
    ctx: PageCtx,
    Id(id): Id,
) -> AppResult<Response> {
    let (m, items) = store::meeting(state.db.conn(), &scope, id).await?;
    let book = store::book(state.db.conn(), &scope).await?;
    let t = scope.today();
    let items = items
        .into_iter()
        .map(|i| ItemLine {
            project: book
                .project(i.project_id)
                .map(|p| format!("{} {}", p.code, p.name))
                .unwrap_or_default(),
            problem: i
                .problem_id
                .and_then(|q| book.problems.iter().find(|x| x.id == q))
                .map(|q| book.problem_line(q, t)),
            department: book.department(i.department_id),
            item: i,
        })
        .collect();
    Ok(render(&MeetingPage {
        ctx: ctx
            .crumb("nav.projects", "/projects")
            .crumb("projects.meetings", "/projects/meetings")
            .crumb_text(m.title.clone(), ""),
        meeting: m,
        items,
        departments: choices(&state, &scope).await?.departments,
        is_admin: scope.role() == Role::Admin,
    }))
}

pub(super) async fn decision_save(
    State(state): State<AppState>,
    scope: Scope,
    headers: HeaderMap,
    Id(id): Id,
    WebForm(f): WebForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = Fields(f);
    let back = format!("/projects/meetings/{}", f.get("meeting_id"));
    let result = async {
        let due = f.date("due_date", "完成时限")?;
        let mut writer = scope.writer(&state).await?;
        let item =
            store::record_decision(&mut writer, &scope, id, &f.get("decision"), f.id("department_id"), due).await?;
        writer.commit().await?;
        Ok((
            format!("/projects/meetings/{}", item.meeting_id),
            "已记录会办意见".to_string(),
        ))
    }
    .await;
    finish(&state, &headers, &back, result)
}
