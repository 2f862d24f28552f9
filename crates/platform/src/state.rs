//! The state every handler receives: the database and the server's settings.

use std::sync::Arc;

use gaoxin_core::clock::Clock;

use crate::db::Db;

/// Settings of a running server.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Mark cookies `Secure` (set when served over TLS, directly or behind a proxy that does
    /// not send `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// Idle time after which a session ends.
    pub session_ttl: chrono::Duration,
    /// A demo database: the login page lists the demo accounts.
    pub demo: bool,
    /// The zone's clock: what "today" and "this year" are for every request.
    pub clock: Clock,
    /// How many uploads are read and checked at once ([`crate::uploads::ImportGate`]).
    pub imports: crate::uploads::ImportGate,
}

impl Default for AppConfig {
    fn default() -> AppConfig {
        AppConfig {
            secure_cookies: false,
            session_ttl: chrono::Duration::hours(8),
            demo: false,
            clock: Clock::system(),
            imports: crate::uploads::ImportGate::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<AppConfig>,
}
