//! The tables of targets and their monthly reports.

pub mod target {
    //! The `target` table: one target of the zone for a period.
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "target")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub name: String,
        pub unit: String,
        /// A [`gaoxin_core::schedule::Period`] code: `2026`, `2026-H1`, `2026-Q3`, `2026-03`.
        pub period: String,
        pub year: i32,
        /// Exact decimals as text.
        pub value_low: String,
        pub value_high: Option<String>,
        /// `at_least` or `at_most`.
        pub direction: String,
        pub department_id: Option<i64>,
        /// `entered`, `import` or `plan`.
        pub origin: String,
        /// `reported` (by the owning department each month).
        pub method: String,
        pub metric: Option<String>,
        /// A [`gaoxin_core::schedule::Profile`] code (empty: linear).
        pub profile: String,
        pub note: Option<String>,
        pub sort_order: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("target", zone);
}

pub mod report {
    //! The `target_report` table: a department's figure to date at a month's end.
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "target_report")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub target_id: i64,
        /// `2026-11`.
        pub month: String,
        /// The cumulative figure at the month's end, an exact decimal.
        pub value: String,
        pub note: Option<String>,
        pub evidence: Option<String>,
        pub reported_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("target_report", zone);
}
