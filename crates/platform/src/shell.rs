//! What the binary tells the web shell about the modules it wires: the navigation, and the
//! panels other modules add to an enterprise's page (一企一档).
//!
//! The platform knows no module; modules know the platform. So a page that gathers from several
//! modules asks the [`Shell`], which the binary builds once and puts into every request
//! (`gaoxin::app::app`). The enterprises module renders its page and asks each registered
//! [`EnterprisePanel`] for its card; it depends on none of them.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::AppState;
use crate::auth::Scope;
use crate::error::{AppError, AppResult};
use crate::web::PageCtx;
use gaoxin_core::roles::RoleSet;

/// A link of the module navigation. `href` empty = a module of PRODUCT.md not built yet,
/// shown greyed so the map of the product is visible from day one.
pub struct NavLink {
    pub key: &'static str,
    pub href: &'static str,
    pub roles: RoleSet,
}

pub struct NavGroup {
    pub key: &'static str,
    pub links: &'static [NavLink],
}

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

/// The modules as the web shell sees them.
pub struct Shell {
    pub navigation: &'static [NavGroup],
    pub enterprise_panels: Vec<Arc<dyn EnterprisePanel>>,
}

impl Shell {
    /// No modules (a router built without the binary's wiring).
    pub const EMPTY: Shell = Shell {
        navigation: &[],
        enterprise_panels: Vec::new(),
    };

    /// The panels in page order.
    pub fn panels(&self) -> Vec<Arc<dyn EnterprisePanel>> {
        let mut panels = self.enterprise_panels.clone();
        panels.sort_by_key(|p| p.order());
        panels
    }
}

/// The shell of the request (put there by the binary's router).
#[derive(Clone)]
pub struct ShellOf(pub Arc<Shell>);

impl<S: Send + Sync> FromRequestParts<S> for ShellOf {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ShellOf, AppError> {
        Ok(ShellOf(
            parts
                .extensions
                .get::<Arc<Shell>>()
                .cloned()
                .unwrap_or_else(|| Arc::new(Shell::EMPTY)),
        ))
    }
}
