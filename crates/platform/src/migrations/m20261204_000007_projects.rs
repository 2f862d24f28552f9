//! Investment projects (招商项目) from lead to full production: the project and its cooperating
//! departments, stage transitions with evidence, monthly plans vs actuals, blocking problems
//! (卡壳问题), comments, meetings (一周一会办 / 双周一评审) with their agenda items and decisions,
//! admission reviews, the rulebook (stages, admission, site visits, scores) as loaded, and the
//! zone's yearly targets. Money in fen, land in ten-thousandths of a 亩.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m20261124_000001_foundation::{fk, index, stamped, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn c(name: &str) -> Alias {
    Alias::new(name)
}

fn table(name: &str) -> TableCreateStatement {
    Table::create()
        .table(c(name))
        .col(big_pk_auto(c("id")))
        .col(big_integer(c("zone_id")))
        .foreign_key(&mut fk(
            &format!("fk_{name}_zone"),
            (c(name), c("zone_id")),
            (c("zone"), c("id")),
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

fn refers(name: &str, column: &str, to: &str) -> ForeignKeyCreateStatement {
    fk(
        &format!("fk_{name}_{column}"),
        (c(name), c(column)),
        (c(to), c("id")),
        ForeignKeyAction::Restrict,
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(stamped(
                table("project")
                    // 项目编号, unique in the zone.
                    .col(string_len(c("code"), 50))
                    .col(string_len(c("name"), 200))
                    // The investor when it is in the registry; else only `investor` (a prospect).
                    .col(big_integer_null(c("enterprise_id")))
                    .col(string_len(c("investor"), 200))
                    // GB/T 4754 code.
                    .col(string_len_null(c("industry_code"), 10))
                    // Fen.
                    .col(big_integer(c("total_investment")))
                    .col(big_integer_null(c("fixed_investment")))
                    // 中介招商 / 驻点招商 / 以商招商 …
                    .col(string_len(c("source"), 50))
                    .col(string_len(c("officer"), 50))
                    .col(string_len(c("leader"), 50))
                    // The attached leader's account, for "my projects".
                    .col(big_integer_null(c("leader_account_id")))
                    .col(big_integer_null(c("lead_department_id")))
                    // 载体 (park, building) and the address.
                    .col(big_integer_null(c("carrier_id")))
                    .col(string_len(c("location"), 200))
                    .col(big_integer_null(c("parcel_id")))
                    .col(big_integer_null(c("contract_id")))
                    // Ten-thousandths of a 亩.
                    .col(big_integer_null(c("land_area")))
                    // The stage key of the rulebook in use, and since when.
                    .col(string_len(c("stage"), 32))
                    .col(date(c("stage_since")))
                    .col(date_null(c("planned_start")))
                    .col(date_null(c("planned_production")))
                    // Planned annual figures, fen.
                    .col(big_integer_null(c("planned_investment")))
                    .col(big_integer_null(c("planned_output")))
                    .col(big_integer_null(c("planned_tax")))
                    .col(text_null(c("note")))
                    .col(big_integer_null(c("created_by")))
                    .foreign_key(&mut refers("project", "enterprise_id", "enterprise"))
                    .foreign_key(&mut refers("project", "lead_department_id", "department"))
                    .foreign_key(&mut refers("project", "carrier_id", "carrier"))
                    .foreign_key(&mut refers("project", "parcel_id", "land_parcel"))
                    .foreign_key(&mut refers("project", "contract_id", "standard_land_contract"))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "ux_project_zone_code",
            c("project"),
            vec![c("zone_id"), c("code")],
        )
        .await?;
        index(
            manager,
            "ix_project_zone_stage",
            c("project"),
            vec![c("zone_id"), c("stage")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_problem")
                    .col(big_integer(c("project_id")))
                    .col(string_len(c("title"), 300))
                    .col(text(c("detail")))
                    .col(date(c("raised_on")))
                    .col(big_integer_null(c("raised_by")))
                    .col(big_integer(c("lead_department_id")))
                    .col(date(c("deadline")))
                    // `open` or `resolved`.
                    .col(string_len(c("status"), 16))
                    .col(text_null(c("answer")))
                    .col(date_null(c("resolved_on")))
                    .col(big_integer_null(c("resolved_by")))
                    .foreign_key(&mut refers("project_problem", "project_id", "project"))
                    .foreign_key(&mut refers("project_problem", "lead_department_id", "department"))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_project_problem_project",
            c("project_problem"),
            vec![c("project_id")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_cooperation")
                    .col(big_integer(c("project_id")))
                    // None: cooperating on the project; else on this problem.
                    .col(big_integer_null(c("problem_id")))
                    .col(big_integer(c("department_id")))
                    .foreign_key(&mut refers("project_cooperation", "project_id", "project"))
                    .foreign_key(&mut refers("project_cooperation", "problem_id", "project_problem"))
                    .foreign_key(&mut refers("project_cooperation", "department_id", "department"))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_project_cooperation_project",
            c("project_cooperation"),
            vec![c("project_id")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_transition")
                    .col(big_integer(c("project_id")))
                    .col(string_len_null(c("from_stage"), 32))
                    .col(string_len(c("to_stage"), 32))
                    .col(date(c("on_date")))
                    // Contract no., land certificate, permit …
                    .col(string_len(c("evidence"), 200))
                    .col(text(c("note")))
                    .col(big_integer_null(c("moved_by")))
                    .foreign_key(&mut refers("project_transition", "project_id", "project"))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_project_transition_project",
            c("project_transition"),
            vec![c("project_id"), c("on_date")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_monthly")
                    .col(big_integer(c("project_id")))
                    // `2026-11`.
                    .col(string_len(c("month"), 7))
                    // Fen; None where not planned or not reported.
                    .col(big_integer_null(c("planned_investment")))
                    .col(big_integer_null(c("investment")))
                    .col(big_integer_null(c("planned_sales")))
                    .col(big_integer_null(c("sales")))
                    .col(big_integer_null(c("planned_tax")))
                    .col(big_integer_null(c("tax")))
                    .foreign_key(&mut refers("project_monthly", "project_id", "project"))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "ux_project_monthly_month",
            c("project_monthly"),
            vec![c("project_id"), c("month")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_comment")
                    .col(big_integer(c("project_id")))
                    .col(big_integer_null(c("problem_id")))
                    .col(text(c("text")))
                    .col(big_integer_null(c("created_by")))
                    .foreign_key(&mut refers("project_comment", "project_id", "project"))
                    .foreign_key(&mut refers("project_comment", "problem_id", "project_problem"))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_project_comment_project",
            c("project_comment"),
            vec![c("project_id")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_meeting")
                    // `weekly` (会办) or `review` (评审).
                    .col(string_len(c("kind"), 16))
                    .col(date(c("held_on")))
                    .col(string_len(c("title"), 200))
                    .col(text(c("note")))
                    .col(big_integer_null(c("created_by")))
                    .to_owned(),
            ))
            .await?;

        manager
            .create_table(stamped(
                table("project_meeting_item")
                    .col(big_integer(c("meeting_id")))
                    .col(big_integer(c("project_id")))
                    .col(big_integer_null(c("problem_id")))
                    // Why it is on the agenda (逾期 3 天 / 停滞 …).
                    .col(string_len(c("reason"), 300))
                    .col(text_null(c("decision")))
                    .col(big_integer_null(c("department_id")))
                    .col(date_null(c("due_date")))
                    .foreign_key(&mut refers("project_meeting_item", "meeting_id", "project_meeting"))
                    .foreign_key(&mut refers("project_meeting_item", "project_id", "project"))
                    .foreign_key(&mut refers("project_meeting_item", "problem_id", "project_problem"))
                    .foreign_key(&mut refers("project_meeting_item", "department_id", "department"))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_project_meeting_item_meeting",
            c("project_meeting_item"),
            vec![c("meeting_id")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_review")
                    .col(big_integer(c("project_id")))
                    .col(date(c("reviewed_on")))
                    // The rulebook version the review applied.
                    .col(string_len(c("rulebook_version"), 64))
                    // JSON: the checklist keys ticked.
                    .col(text(c("checked")))
                    .col(integer(c("score")))
                    .col(text(c("explanation")))
                    // `admit`, `conditional`, `reject`.
                    .col(string_len(c("suggested"), 16))
                    .col(string_len(c("decision"), 16))
                    .col(text(c("note")))
                    .col(big_integer_null(c("created_by")))
                    .foreign_key(&mut refers("project_review", "project_id", "project"))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_project_review_project",
            c("project_review"),
            vec![c("project_id")],
        )
        .await?;

        manager
            .create_table(stamped(
                table("project_rulebook")
                    .col(string_len(c("scheme_id"), 100))
                    .col(string_len(c("name"), 200))
                    .col(string_len(c("version"), 64))
                    .col(string_len(c("file_name"), 200))
                    .col(text(c("source")))
                    .col(string_len(c("status"), 16))
                    .col(big_integer_null(c("loaded_by")))
                    .to_owned(),
            ))
            .await?;

        manager
            .create_table(stamped(
                table("project_target")
                    .col(integer(c("year")))
                    // `major_signed`, `major_started`, `major_producing`, `signed_amount`, `investment`.
                    .col(string_len(c("metric"), 32))
                    .col(string_len(c("label"), 200))
                    // Count, or 亿元 for amounts (exact decimal as text).
                    .col(string_len(c("value"), 40))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "ux_project_target",
            c("project_target"),
            vec![c("zone_id"), c("year"), c("metric")],
        )
        .await?;
        Ok(())
    }
}
