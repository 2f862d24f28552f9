//! The awards card of the enterprise page (一企一档): the policy awards it received in approved
//! batches, each with a link to its explanation.

use askama::Template;

use crate::compute::yuan;
use crate::store;
use gaoxin_platform::AppState;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::AppResult;
use gaoxin_platform::panels::{EnterprisePanel, PanelSubject};
use gaoxin_platform::web::{PageCtx, render_fragment};

#[derive(Template)]
#[template(path = "panel.html")]
struct Card<'a> {
    ctx: &'a PageCtx,
    /// Year, award, amount in yuan, line id.
    awards: Vec<(i32, String, String, i64)>,
}

/// Registered by the binary into the enterprise page.
pub struct Panel;

#[async_trait::async_trait]
impl EnterprisePanel for Panel {
    fn order(&self) -> u16 {
        400
    }

    async fn render(
        &self,
        state: &AppState,
        scope: &Scope,
        ctx: &PageCtx,
        subject: PanelSubject,
    ) -> AppResult<Option<String>> {
        let awards: Vec<(i32, String, String, i64)> =
            store::awards_of_enterprise(&state.db, scope, subject.enterprise_id)
                .await?
                .into_iter()
                .filter(|(l, _)| !l.excluded)
                .map(|(l, b)| (b.year, l.award_name, yuan(l.amount), l.id))
                .collect();
        if awards.is_empty() {
            return Ok(None);
        }
        render_fragment(&Card { ctx, awards }).map(Some)
    }
}
