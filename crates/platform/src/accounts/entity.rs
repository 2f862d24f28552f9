//! Accounts, their sessions and their API tokens.

pub mod account {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    use gaoxin_core::roles::Role;

    /// A person or machine that signs in. `zone_id` is empty only for province readers.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "account")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: Option<i64>,
        pub username: String,
        pub display_name: String,
        pub role: String,
        pub department_id: Option<i64>,
        pub enterprise_id: Option<i64>,
        /// Never serialised: the audit log must not hold password hashes.
        #[serde(skip_serializing)]
        pub password_hash: String,
        pub locale: String,
        pub active: bool,
        pub failed_logins: i32,
        pub locked_until: Option<DateTimeUtc>,
        pub last_login_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    impl Model {
        pub fn role(&self) -> Role {
            // The column is only written from `Role::code`, so an unknown value means a hand
            // edit of the database; treat it as the least powerful role.
            Role::parse(&self.role).unwrap_or(Role::Enterprise)
        }
    }

    crate::audited_entity!("account");
}

pub mod session {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A browser session. The id is the SHA-256 of the cookie value, so a copy of the
    /// database does not hand out live sessions.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "session")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub account_id: i64,
        #[serde(skip_serializing)]
        pub csrf_token: String,
        /// For province readers: the zone they are looking at.
        pub viewing_zone_id: Option<i64>,
        pub expires_at: DateTimeUtc,
        pub last_seen_at: DateTimeUtc,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod api_token {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A bearer token for machines. Only its SHA-256 is stored; the token itself is shown
    /// once, when it is created.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "api_token")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub account_id: i64,
        pub name: String,
        #[serde(skip_serializing)]
        pub token_hash: String,
        /// The first characters of the token, so its owner can tell tokens apart.
        pub token_prefix: String,
        pub expires_at: Option<DateTimeUtc>,
        pub last_used_at: Option<DateTimeUtc>,
        pub revoked_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    crate::audited_entity!("api_token");
}
