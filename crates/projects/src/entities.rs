//! The projects module's tables, one submodule each (sea-orm entities, audited, zone-scoped).
pub mod project {
    //! The `project` table. An investment project: investor, industry, amounts (fen), people, departments, land, stage and plan.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub code: String,
        pub name: String,
        pub enterprise_id: Option<i64>,
        pub investor: String,
        pub industry_code: Option<String>,
        pub total_investment: i64,
        pub fixed_investment: Option<i64>,
        pub source: String,
        pub officer: String,
        pub leader: String,
        pub leader_account_id: Option<i64>,
        pub lead_department_id: Option<i64>,
        pub carrier_id: Option<i64>,
        pub location: String,
        pub parcel_id: Option<i64>,
        pub contract_id: Option<i64>,
        pub land_area: Option<i64>,
        pub stage: String,
        pub stage_since: Date,
        pub planned_start: Option<Date>,
        pub planned_production: Option<Date>,
        pub planned_investment: Option<i64>,
        pub planned_output: Option<i64>,
        pub planned_tax: Option<i64>,
        pub note: Option<String>,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project", zone);
}

pub mod problem {
    //! The `project_problem` table. A blocking problem (卡壳问题) with its lead department, deadline and answer.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_problem")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub project_id: i64,
        pub title: String,
        pub detail: String,
        pub raised_on: Date,
        pub raised_by: Option<i64>,
        pub lead_department_id: i64,
        pub deadline: Date,
        pub status: String,
        pub answer: Option<String>,
        pub resolved_on: Option<Date>,
        pub resolved_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_problem", zone);
}

pub mod cooperation {
    //! The `project_cooperation` table. A cooperating department of a project (problem_id None) or of one of its problems.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_cooperation")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub project_id: i64,
        pub problem_id: Option<i64>,
        pub department_id: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_cooperation", zone);
}

pub mod transition {
    //! The `project_transition` table. A stage transition: when, who, with what evidence.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_transition")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub project_id: i64,
        pub from_stage: Option<String>,
        pub to_stage: String,
        pub on_date: Date,
        pub evidence: String,
        pub note: String,
        pub moved_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_transition", zone);
}

pub mod monthly {
    //! The `project_monthly` table. A month's plan and actuals (fen): investment, 开票销售, 纳税.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_monthly")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub project_id: i64,
        pub month: String,
        pub planned_investment: Option<i64>,
        pub investment: Option<i64>,
        pub planned_sales: Option<i64>,
        pub sales: Option<i64>,
        pub planned_tax: Option<i64>,
        pub tax: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_monthly", zone);
}

pub mod comment {
    //! The `project_comment` table. A comment on a project (a leader's 批示, a note), maybe on one problem.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_comment")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub project_id: i64,
        pub problem_id: Option<i64>,
        pub text: String,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_comment", zone);
}

pub mod meeting {
    //! The `project_meeting` table. A meeting: the weekly 会办 or the admission 评审.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_meeting")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub kind: String,
        pub held_on: Date,
        pub title: String,
        pub note: String,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_meeting", zone);
}

pub mod meeting_item {
    //! The `project_meeting_item` table. An agenda item of a meeting and the decision recorded against it.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_meeting_item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub meeting_id: i64,
        pub project_id: i64,
        pub problem_id: Option<i64>,
        pub reason: String,
        pub decision: Option<String>,
        pub department_id: Option<i64>,
        pub due_date: Option<Date>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_meeting_item", zone);
}

pub mod review {
    //! The `project_review` table. An admission review: ticked checklist (JSON), score and its explanation, decision.

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_review")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub project_id: i64,
        pub reviewed_on: Date,
        pub rulebook_version: String,
        pub checked: String,
        pub score: i32,
        pub explanation: String,
        pub suggested: String,
        pub decision: String,
        pub note: String,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_review", zone);
}

pub mod rulebook {
    //! The `project_rulebook` table. The rulebook file as loaded; its SHA-256 is the version, one active per id.

    gaoxin_platform::rule_version_table!("project_rulebook");
}

pub mod target {
    //! The `project_target` table. A yearly target: a metric and its value (count, or 亿元).

    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "project_target")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        pub year: i32,
        pub metric: String,
        pub label: String,
        pub value: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    gaoxin_platform::audited_entity!("project_target", zone);
}
