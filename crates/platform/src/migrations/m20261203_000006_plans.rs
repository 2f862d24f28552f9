//! Work plans and their task ledger: plans (title, year, 文号), tasks (numbering path, text,
//! deadline, percent complete, completion and its confirmation), the departments of each task
//! (lead / cooperating, as written and as linked), numeric targets with actuals, progress
//! reports with evidence files, supervision orders (督办单), the zone's status thresholds, and the
//! scoring schemes (考核计分办法) as loaded.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m20261124_000001_foundation::{fk, index, stamped, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WorkPlan {
    Table,
    Id,
    ZoneId,
    Title,
    Year,
    DocumentNumber,
    SourceName,
    CreatedBy,
}

#[derive(DeriveIden)]
enum PlanTask {
    Table,
    Id,
    ZoneId,
    PlanId,
    Seq,
    Reference,
    Section,
    Text,
    DeadlineText,
    StartDate,
    DueDate,
    Percent,
    Status,
    DoneOn,
    ConfirmedOn,
    ConfirmedBy,
    CreatedBy,
}

#[derive(DeriveIden)]
enum TaskDepartment {
    Table,
    Id,
    ZoneId,
    TaskId,
    DepartmentId,
    Written,
    Role,
    Position,
}

#[derive(DeriveIden)]
enum TaskTarget {
    Table,
    Id,
    ZoneId,
    TaskId,
    Position,
    Text,
    Value,
    Unit,
    Actual,
}

#[derive(DeriveIden)]
enum TaskReport {
    Table,
    Id,
    ZoneId,
    TaskId,
    DepartmentId,
    Kind,
    Note,
    Percent,
    Actuals,
    SupervisionId,
    CreatedBy,
}

#[derive(DeriveIden)]
enum TaskAttachment {
    Table,
    Id,
    ZoneId,
    ReportId,
    FileName,
    ContentType,
    Size,
    Data,
}

#[derive(DeriveIden)]
enum SupervisionOrder {
    Table,
    Id,
    ZoneId,
    TaskId,
    Reason,
    IssuedOn,
    Deadline,
    Status,
    ClosedOn,
    ClosedBy,
    ClosingNote,
    IssuedBy,
}

#[derive(DeriveIden)]
enum PlanSetting {
    Table,
    Id,
    ZoneId,
    BlueDays,
    RedAfterDays,
}

fn zone_fk<T: IntoIden + 'static, C: IntoIden + 'static>(name: &str, table: T, column: C) -> ForeignKeyCreateStatement {
    fk(
        name,
        (table, column),
        (Zone::Table, Zone::Id),
        ForeignKeyAction::Restrict,
    )
}

#[derive(DeriveIden)]
enum PlanScoreScheme {
    Table,
    Id,
    ZoneId,
    SchemeId,
    Name,
    Version,
    FileName,
    Source,
    Status,
    LoadedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(stamped(
                Table::create()
                    .table(WorkPlan::Table)
                    .col(big_pk_auto(WorkPlan::Id))
                    .col(big_integer(WorkPlan::ZoneId))
                    .col(string_len(WorkPlan::Title, 300))
                    .col(integer(WorkPlan::Year))
                    .col(string_len_null(WorkPlan::DocumentNumber, 100))
                    // The file the plan was read from, if any.
                    .col(string_len_null(WorkPlan::SourceName, 200))
                    .col(big_integer_null(WorkPlan::CreatedBy))
                    .foreign_key(&mut zone_fk("fk_work_plan_zone", WorkPlan::Table, WorkPlan::ZoneId))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_work_plan_zone_year",
            WorkPlan::Table,
            vec![WorkPlan::ZoneId, WorkPlan::Year],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(PlanTask::Table)
                    .col(big_pk_auto(PlanTask::Id))
                    .col(big_integer(PlanTask::ZoneId))
                    // None: created by hand, outside any plan.
                    .col(big_integer_null(PlanTask::PlanId))
                    .col(integer(PlanTask::Seq))
                    // The numbering path in the plan (`二.(一).1`).
                    .col(string_len(PlanTask::Reference, 100))
                    .col(text(PlanTask::Section))
                    .col(text(PlanTask::Text))
                    // As written (`全年`, `6月底前`, `持续推进`).
                    .col(string_len_null(PlanTask::DeadlineText, 100))
                    // The period whose elapsed share is the 序时进度: start → due date.
                    .col(date(PlanTask::StartDate))
                    .col(date_null(PlanTask::DueDate))
                    .col(integer(PlanTask::Percent))
                    // `open`, `done` (the lead department reported it complete), `confirmed`.
                    .col(string_len(PlanTask::Status, 16))
                    .col(date_null(PlanTask::DoneOn))
                    .col(date_null(PlanTask::ConfirmedOn))
                    .col(big_integer_null(PlanTask::ConfirmedBy))
                    .col(big_integer_null(PlanTask::CreatedBy))
                    .foreign_key(&mut zone_fk("fk_plan_task_zone", PlanTask::Table, PlanTask::ZoneId))
                    .foreign_key(&mut fk(
                        "fk_plan_task_plan",
                        (PlanTask::Table, PlanTask::PlanId),
                        (WorkPlan::Table, WorkPlan::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_plan_task_plan",
            PlanTask::Table,
            vec![PlanTask::PlanId, PlanTask::Seq],
        )
        .await?;
        index(
            manager,
            "ix_plan_task_zone_due",
            PlanTask::Table,
            vec![PlanTask::ZoneId, PlanTask::DueDate],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(TaskDepartment::Table)
                    .col(big_pk_auto(TaskDepartment::Id))
                    .col(big_integer(TaskDepartment::ZoneId))
                    .col(big_integer(TaskDepartment::TaskId))
                    // None: a name the zone's department list does not have (yet).
                    .col(big_integer_null(TaskDepartment::DepartmentId))
                    .col(string_len(TaskDepartment::Written, 200))
                    // `lead` or `cooperating`.
                    .col(string_len(TaskDepartment::Role, 16))
                    .col(integer(TaskDepartment::Position))
                    .foreign_key(&mut zone_fk(
                        "fk_task_department_zone",
                        TaskDepartment::Table,
                        TaskDepartment::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_task_department_task",
                        (TaskDepartment::Table, TaskDepartment::TaskId),
                        (PlanTask::Table, PlanTask::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_task_department_department",
                        (TaskDepartment::Table, TaskDepartment::DepartmentId),
                        (Department::Table, Department::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_task_department_task",
            TaskDepartment::Table,
            vec![TaskDepartment::TaskId],
        )
        .await?;
        index(
            manager,
            "ix_task_department_department",
            TaskDepartment::Table,
            vec![TaskDepartment::DepartmentId, TaskDepartment::Role],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(TaskTarget::Table)
                    .col(big_pk_auto(TaskTarget::Id))
                    .col(big_integer(TaskTarget::ZoneId))
                    .col(big_integer(TaskTarget::TaskId))
                    .col(integer(TaskTarget::Position))
                    .col(string_len(TaskTarget::Text, 500))
                    // Exact decimals as text (`141`, `4.5`), in `unit`.
                    .col(string_len(TaskTarget::Value, 40))
                    .col(string_len(TaskTarget::Unit, 20))
                    .col(string_len_null(TaskTarget::Actual, 40))
                    .foreign_key(&mut zone_fk(
                        "fk_task_target_zone",
                        TaskTarget::Table,
                        TaskTarget::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_task_target_task",
                        (TaskTarget::Table, TaskTarget::TaskId),
                        (PlanTask::Table, PlanTask::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_task_target_task",
            TaskTarget::Table,
            vec![TaskTarget::TaskId],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(SupervisionOrder::Table)
                    .col(big_pk_auto(SupervisionOrder::Id))
                    .col(big_integer(SupervisionOrder::ZoneId))
                    .col(big_integer(SupervisionOrder::TaskId))
                    .col(text(SupervisionOrder::Reason))
                    .col(date(SupervisionOrder::IssuedOn))
                    .col(date(SupervisionOrder::Deadline))
                    // `open` or `closed`.
                    .col(string_len(SupervisionOrder::Status, 16))
                    .col(date_null(SupervisionOrder::ClosedOn))
                    .col(big_integer_null(SupervisionOrder::ClosedBy))
                    .col(text_null(SupervisionOrder::ClosingNote))
                    .col(big_integer_null(SupervisionOrder::IssuedBy))
                    .foreign_key(&mut zone_fk(
                        "fk_supervision_order_zone",
                        SupervisionOrder::Table,
                        SupervisionOrder::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_supervision_order_task",
                        (SupervisionOrder::Table, SupervisionOrder::TaskId),
                        (PlanTask::Table, PlanTask::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_supervision_order_task",
            SupervisionOrder::Table,
            vec![SupervisionOrder::TaskId],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(TaskReport::Table)
                    .col(big_pk_auto(TaskReport::Id))
                    .col(big_integer(TaskReport::ZoneId))
                    .col(big_integer(TaskReport::TaskId))
                    .col(big_integer_null(TaskReport::DepartmentId))
                    // `progress` (lead department), `part` (a cooperating department), `comment`
                    // (a leader), `completion` (the lead department reports it done).
                    .col(string_len(TaskReport::Kind, 16))
                    .col(text(TaskReport::Note))
                    .col(integer_null(TaskReport::Percent))
                    // JSON: [{"target_id": 1, "actual": "120"}].
                    .col(text_null(TaskReport::Actuals))
                    // The supervision order this report answers, if any.
                    .col(big_integer_null(TaskReport::SupervisionId))
                    .col(big_integer_null(TaskReport::CreatedBy))
                    .foreign_key(&mut zone_fk(
                        "fk_task_report_zone",
                        TaskReport::Table,
                        TaskReport::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_task_report_task",
                        (TaskReport::Table, TaskReport::TaskId),
                        (PlanTask::Table, PlanTask::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_task_report_supervision",
                        (TaskReport::Table, TaskReport::SupervisionId),
                        (SupervisionOrder::Table, SupervisionOrder::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_task_report_task",
            TaskReport::Table,
            vec![TaskReport::TaskId],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(TaskAttachment::Table)
                    .col(big_pk_auto(TaskAttachment::Id))
                    .col(big_integer(TaskAttachment::ZoneId))
                    .col(big_integer(TaskAttachment::ReportId))
                    .col(string_len(TaskAttachment::FileName, 200))
                    .col(string_len(TaskAttachment::ContentType, 100))
                    .col(big_integer(TaskAttachment::Size))
                    .col(blob(TaskAttachment::Data))
                    .foreign_key(&mut zone_fk(
                        "fk_task_attachment_zone",
                        TaskAttachment::Table,
                        TaskAttachment::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_task_attachment_report",
                        (TaskAttachment::Table, TaskAttachment::ReportId),
                        (TaskReport::Table, TaskReport::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_task_attachment_report",
            TaskAttachment::Table,
            vec![TaskAttachment::ReportId],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(PlanSetting::Table)
                    .col(big_pk_auto(PlanSetting::Id))
                    .col(big_integer(PlanSetting::ZoneId))
                    // Blue: due within this many days.
                    .col(integer(PlanSetting::BlueDays))
                    // A supervision order turns red this many days after its deadline passed.
                    .col(integer(PlanSetting::RedAfterDays))
                    .foreign_key(&mut zone_fk(
                        "fk_plan_setting_zone",
                        PlanSetting::Table,
                        PlanSetting::ZoneId,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_plan_setting_zone",
            PlanSetting::Table,
            vec![PlanSetting::ZoneId],
        )
        .await?;
        // Scoring schemes (考核计分办法) as loaded: the text kept forever, its SHA-256 the version.
        manager
            .create_table(stamped(
                Table::create()
                    .table(PlanScoreScheme::Table)
                    .col(big_pk_auto(PlanScoreScheme::Id))
                    .col(big_integer(PlanScoreScheme::ZoneId))
                    .col(string_len(PlanScoreScheme::SchemeId, 100))
                    .col(string_len(PlanScoreScheme::Name, 200))
                    .col(string_len(PlanScoreScheme::Version, 64))
                    .col(string_len(PlanScoreScheme::FileName, 200))
                    .col(text(PlanScoreScheme::Source))
                    // `active` or `retired`.
                    .col(string_len(PlanScoreScheme::Status, 16))
                    .col(big_integer_null(PlanScoreScheme::LoadedBy))
                    .foreign_key(&mut zone_fk(
                        "fk_plan_score_scheme_zone",
                        PlanScoreScheme::Table,
                        PlanScoreScheme::ZoneId,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_plan_score_scheme_zone_version",
            PlanScoreScheme::Table,
            vec![PlanScoreScheme::ZoneId, PlanScoreScheme::Version],
        )
        .await?;
        Ok(())
    }
}
