//! The cultivation card of the enterprise page (一企一档): the enterprise's standing in every
//! tier, with what it still lacks.

use askama::Template;

use crate::status::CandidateKind;
use crate::store::{self, Standing};
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::panels::{EnterprisePanel, PanelSubject};
use gaoxin_platform::web::{PageCtx, render_fragment};
use gaoxin_rules::ladder::{self, RouteResult};

/// One tier on the enterprise page.
pub struct StandingView {
    pub s: Standing,
    pub status_label: &'static str,
    pub lines: Vec<(String, &'static str)>,
    pub missing: String,
    pub manual: Vec<String>,
}

/// How a route's items read on a page: (line, css class).
fn route_lines(r: &RouteResult) -> Vec<(String, &'static str)> {
    let class = |c: ladder::Check| match c {
        ladder::Check::Met => "ok",
        ladder::Check::NotMet => "fail",
        ladder::Check::Unknown => "unknown",
        ladder::Check::Manual => "manual",
    };
    let mut out: Vec<(String, &'static str)> = r
        .conditions
        .iter()
        .filter(|c| c.check != ladder::Check::Manual)
        .map(|c| (c.describe(), class(c.check)))
        .collect();
    if let Some(s) = &r.score {
        out.push((s.describe(), class(s.check)));
    }
    out
}

/// The standing of an enterprise in every tier, for its page: for `year` (the latest year of its
/// annual data), or the last full year.
pub async fn standings(
    state: &AppState,
    scope: &Scope,
    enterprise_id: i64,
    year: Option<i32>,
) -> AppResult<(i32, Vec<StandingView>)> {
    let year = year.unwrap_or(scope.year() - 1);
    let standings = store::standing(&state.db, scope, enterprise_id, year, ladder::default_as_of(year)).await?;
    Ok((
        year,
        standings
            .into_iter()
            .map(|s| {
                let best = s.result.best();
                StandingView {
                    status_label: if s.held.is_some() {
                        CandidateKind::Held.label()
                    } else if s.result.within_reach {
                        CandidateKind::WithinReach.label()
                    } else {
                        s.result.status.label()
                    },
                    lines: route_lines(best),
                    missing: best.missing().join("、"),
                    manual: best.manual(),
                    s,
                }
            })
            .collect(),
    ))
}

#[derive(Template)]
#[template(path = "panel.html")]
struct Card<'a> {
    ctx: &'a PageCtx,
    ladder_year: i32,
    ladder: Vec<StandingView>,
}

/// Registered by the binary into the enterprise page.
pub struct Panel;

#[async_trait::async_trait]
impl EnterprisePanel for Panel {
    fn order(&self) -> u16 {
        100
    }

    async fn render(
        &self,
        state: &AppState,
        scope: &Scope,
        ctx: &PageCtx,
        subject: PanelSubject,
    ) -> AppResult<Option<String>> {
        let (ladder_year, ladder) = standings(state, scope, subject.enterprise_id, subject.latest_year).await?;
        if ladder.is_empty() {
            return Ok(None);
        }
        render_fragment(&Card {
            ctx,
            ladder_year,
            ladder,
        })
        .map(Some)
    }
}
