//! The extension point of the enterprise page (一企一档): the cards other modules add to it.
//!
//! The platform knows no module; modules know the platform. The enterprise page gathers from
//! several modules without depending on any of them: each module implements
//! [`EnterprisePanel`], the binary lists them once in [`EnterprisePanels`] and puts that into
//! every request (`gaoxin::app::app`), and the page asks each for its card.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::AppState;
use crate::auth::Scope;
use crate::error::{AppError, AppResult};
use crate::web::PageCtx;

/// The enterprise an [`EnterprisePanel`] is asked about.
#[derive(Clone, Copy, Debug)]
pub struct PanelSubject {
    pub enterprise_id: i64,
    /// The latest year of annual data the registry holds for it.
    pub latest_year: Option<i32>,
}

/// A card another module adds to the enterprise page.
#[async_trait::async_trait]
pub trait EnterprisePanel: Send + Sync {
    /// Where the card goes, smallest first. The page's own innovation-data card sits at
    /// [`INNOVATION_CARD_ORDER`].
    fn order(&self) -> u16;

    /// The card's HTML, or `None` when the module has nothing to show for the enterprise.
    async fn render(
        &self,
        state: &AppState,
        scope: &Scope,
        ctx: &PageCtx,
        subject: PanelSubject,
    ) -> AppResult<Option<String>>;
}

/// The place of the enterprise page's own innovation-data card among the panels.
pub const INNOVATION_CARD_ORDER: u16 = 300;

/// The cards of the enterprise page, as the binary registered them.
#[derive(Clone, Default)]
pub struct EnterprisePanels(Vec<Arc<dyn EnterprisePanel>>);

impl EnterprisePanels {
    pub fn new(panels: Vec<Arc<dyn EnterprisePanel>>) -> EnterprisePanels {
        EnterprisePanels(panels)
    }

    /// The panels in page order.
    pub fn in_order(&self) -> Vec<Arc<dyn EnterprisePanel>> {
        let mut panels = self.0.clone();
        panels.sort_by_key(|p| p.order());
        panels
    }
}

/// The panels of the request (none when the router was built without the binary's wiring).
impl<S: Send + Sync> FromRequestParts<S> for EnterprisePanels {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<EnterprisePanels, AppError> {
        Ok(parts.extensions.get::<EnterprisePanels>().cloned().unwrap_or_default())
    }
}
