//! Login, logout, one's own account (password, language, API tokens), user management for
//! admins, and the matching API: the sign-in pages (`session`), one's own account (`own`),
//! the user pages (`users`) and the JSON API (`api`). This file holds the routes and what
//! they share: the audit context of one's own changes, password hashing, the redirect after
//! login and the validity of a new token.

use gaoxin_core::roles::{ADMINS, AUDIT_READERS, EVERYONE, Role};
use gaoxin_platform::audit::WriteContext;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::error::{AppError, AppResult};
use gaoxin_platform::routes::{Access, Routes};
use gaoxin_platform::secrets::hash_password;

mod api;
mod own;
mod session;
mod users;

pub use api::*;
pub use users::{UserQuery, UserRow};

use own::{account_page, change_locale, change_password, create_token_form, revoke_token_form};
use session::{login_page, login_submit, logout};
use users::{user_create_form, user_edit_page, user_new_page, user_update_form, users_export, users_page};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, login_page)
        .post("/login", Access::Public, login_submit)
        .post("/logout", Access::Roles(EVERYONE), logout)
        .get("/account", Access::Roles(EVERYONE), account_page)
        .post("/account/password", Access::Roles(EVERYONE), change_password)
        .post("/account/locale", Access::Roles(EVERYONE), change_locale)
        .post("/account/tokens", Access::Roles(EVERYONE), create_token_form)
        .post(
            "/account/tokens/{id}/revoke",
            Access::Roles(EVERYONE),
            revoke_token_form,
        )
        .get("/admin/users", Access::Roles(AUDIT_READERS), users_page)
        .get("/admin/users/export", Access::Roles(AUDIT_READERS), users_export)
        .get("/admin/users/new", Access::Roles(ADMINS), user_new_page)
        .post("/admin/users", Access::Roles(ADMINS), user_create_form)
        .get("/admin/users/{id}/edit", Access::Roles(ADMINS), user_edit_page)
        .post("/admin/users/{id}", Access::Roles(ADMINS), user_update_form)
        .post("/api/v1/auth/token", Access::Public, issue_token)
        .get("/api/v1/auth/tokens", Access::Roles(EVERYONE), list_tokens)
        .delete("/api/v1/auth/tokens/{id}", Access::Roles(EVERYONE), revoke_token)
        .get("/api/v1/me", Access::Roles(EVERYONE), me)
        .get("/api/v1/users", Access::Roles(AUDIT_READERS), list_users)
        .post("/api/v1/users", Access::Roles(ADMINS), create_user)
        .get("/api/v1/users/{id}", Access::Roles(AUDIT_READERS), get_user)
        .patch("/api/v1/users/{id}", Access::Roles(ADMINS), update_user)
        .get("/api/v1/users/{id}/tokens", Access::Roles(AUDIT_READERS), user_tokens)
        .delete(
            "/api/v1/users/{id}/tokens/{token_id}",
            Access::Roles(ADMINS),
            revoke_user_token,
        )
        .post("/api/v1/users/{id}/unlock", Access::Roles(ADMINS), unlock_user)
        .post(
            "/admin/users/{id}/tokens/{token_id}/revoke",
            Access::Roles(ADMINS),
            users::user_token_revoke_form,
        )
        .post(
            "/admin/users/{id}/unlock",
            Access::Roles(ADMINS),
            users::user_unlock_form,
        )
}

/// The audit context for changes to one's own account: their home zone (none for province).
fn own_context(scope: &Scope) -> WriteContext {
    let mut ctx = scope.write_context();
    if scope.role() == Role::Province {
        ctx.zone_id = None;
    }
    ctx
}

/// Hashes a password off the async threads (hashing is slow by design).
async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)
}

/// Only a path on this site is followed after login (no open redirect): it starts with one `/`,
/// and has no backslash, whitespace or control character (browsers drop tabs and newlines from a
/// URL, so `/\t/evil.example` would become `//evil.example`, another host).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with('/')
                && !n.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The validity of a new token in days: 90 when not given; every token expires (issue 17,
/// finding 8).
fn token_days(raw: Option<i64>) -> AppResult<Option<i64>> {
    match raw {
        None => Ok(Some(90)),
        Some(d) if (1..=3650).contains(&d) => Ok(Some(d)),
        Some(_) => Err(AppError::field("expires_in_days", "有效期须为 1–3650 天")),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for ok in ["/", "/enterprises?q=%E5%8D%8E", "/land/runs/3"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "https://evil.example",
            "/a\u{0}b",
            "/a\\b",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
