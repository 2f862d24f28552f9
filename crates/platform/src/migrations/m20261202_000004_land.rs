//! 亩均效益评价 (land efficiency): the scheme versions a zone has loaded (text kept forever, so
//! a run reproduces), evaluation runs (draft → 公示 → final, locked), one result per enterprise
//! with its explanation, manual class adjustments on the result (定档调档, with the reason), and
//! the objections (异议) enterprises file during 公示.

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
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LandSchemeVersion {
    Table,
    Id,
    ZoneId,
    SchemeId,
    Name,
    GroupLabel,
    Version,
    FileName,
    Source,
    DocumentNumber,
    EffectiveFrom,
    EffectiveTo,
    Example,
    Status,
    LoadedBy,
}

#[derive(DeriveIden)]
enum LandRun {
    Table,
    Id,
    ZoneId,
    SchemeVersionId,
    SchemeId,
    Year,
    AsOf,
    Status,
    PublicityFrom,
    PublicityUntil,
    FinalizedAt,
    FinalizedBy,
    EnterpriseCount,
    Counts,
    Benchmarks,
    InputHash,
    CreatedBy,
}

#[derive(DeriveIden)]
enum LandResult {
    Table,
    Id,
    ZoneId,
    RunId,
    EnterpriseId,
    ExclusionId,
    Excluded,
    Rank,
    Total,
    ComputedClass,
    Class,
    AdjustReason,
    Detail,
}

#[derive(DeriveIden)]
enum LandObjection {
    Table,
    Id,
    ZoneId,
    RunId,
    ResultId,
    EnterpriseId,
    Reason,
    Evidence,
    Status,
    DepartmentId,
    Answer,
    ResolvedBy,
    ResolvedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum LandMeasure {
    Table,
    Id,
    ZoneId,
    SchemeId,
    ClassName,
    Category,
    Measure,
    Department,
}

#[derive(DeriveIden)]
enum ClearanceCase {
    Table,
    Id,
    ZoneId,
    RunId,
    ResultId,
    EnterpriseId,
    Route,
    Actions,
    DepartmentId,
    Deadline,
    Status,
    ClosedOn,
    LandRecovered,
    ClosingNote,
    CreatedBy,
}

fn zone_fk(name: &str, table: impl IntoIden + 'static, column: impl IntoIden + 'static) -> ForeignKeyCreateStatement {
    fk(
        name,
        (table, column),
        (Zone::Table, Zone::Id),
        ForeignKeyAction::Restrict,
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(stamped(
                Table::create()
                    .table(LandSchemeVersion::Table)
                    .col(big_pk_auto(LandSchemeVersion::Id))
                    .col(big_integer(LandSchemeVersion::ZoneId))
                    .col(string_len(LandSchemeVersion::SchemeId, 100))
                    .col(string_len(LandSchemeVersion::Name, 200))
                    .col(string_len(LandSchemeVersion::GroupLabel, 100))
                    // SHA-256 of the text.
                    .col(string_len(LandSchemeVersion::Version, 64))
                    .col(string_len(LandSchemeVersion::FileName, 200))
                    .col(text(LandSchemeVersion::Source))
                    .col(string_len(LandSchemeVersion::DocumentNumber, 200))
                    .col(date(LandSchemeVersion::EffectiveFrom))
                    .col(date_null(LandSchemeVersion::EffectiveTo))
                    .col(boolean(LandSchemeVersion::Example))
                    // `active` (the scheme's version in use) or `retired`.
                    .col(string_len(LandSchemeVersion::Status, 16))
                    .col(big_integer_null(LandSchemeVersion::LoadedBy))
                    .foreign_key(&mut zone_fk(
                        "fk_land_scheme_version_zone",
                        LandSchemeVersion::Table,
                        LandSchemeVersion::ZoneId,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_land_scheme_version_zone_version",
            LandSchemeVersion::Table,
            vec![LandSchemeVersion::ZoneId, LandSchemeVersion::Version],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(LandRun::Table)
                    .col(big_pk_auto(LandRun::Id))
                    .col(big_integer(LandRun::ZoneId))
                    .col(big_integer(LandRun::SchemeVersionId))
                    .col(string_len(LandRun::SchemeId, 100))
                    .col(integer(LandRun::Year))
                    .col(date(LandRun::AsOf))
                    // `draft`, `publicity` (公示), `final` (locked).
                    .col(string_len(LandRun::Status, 16))
                    .col(date_null(LandRun::PublicityFrom))
                    .col(date_null(LandRun::PublicityUntil))
                    .col(timestamp_with_time_zone_null(LandRun::FinalizedAt))
                    .col(big_integer_null(LandRun::FinalizedBy))
                    .col(big_integer(LandRun::EnterpriseCount))
                    // JSON: {"ranked", "excluded", "classes": {name: n}}.
                    .col(text(LandRun::Counts))
                    // JSON: [{"id", "label", "benchmark", "fill"}].
                    .col(text(LandRun::Benchmarks))
                    .col(string_len(LandRun::InputHash, 64))
                    .col(big_integer_null(LandRun::CreatedBy))
                    .foreign_key(&mut zone_fk("fk_land_run_zone", LandRun::Table, LandRun::ZoneId))
                    .foreign_key(&mut fk(
                        "fk_land_run_scheme_version",
                        (LandRun::Table, LandRun::SchemeVersionId),
                        (LandSchemeVersion::Table, LandSchemeVersion::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_land_run_zone_year",
            LandRun::Table,
            vec![LandRun::ZoneId, LandRun::Year],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(LandResult::Table)
                    .col(big_pk_auto(LandResult::Id))
                    .col(big_integer(LandResult::ZoneId))
                    .col(big_integer(LandResult::RunId))
                    .col(big_integer(LandResult::EnterpriseId))
                    // The exclusion's id (`scope` when outside the scope) and its reason.
                    .col(string_len_null(LandResult::ExclusionId, 100))
                    .col(string_len_null(LandResult::Excluded, 300))
                    // 0 when excluded.
                    .col(integer(LandResult::Rank))
                    // The total in hundredths of a point, as ranked (rounded half up).
                    .col(big_integer(LandResult::Total))
                    .col(string_len(LandResult::ComputedClass, 50))
                    // The class in force: the computed one, or the one set by hand with a reason.
                    .col(string_len(LandResult::Class, 50))
                    .col(string_len_null(LandResult::AdjustReason, 500))
                    // JSON: indicators (value, score, filled, capped), adjustments, exact total.
                    .col(text(LandResult::Detail))
                    .foreign_key(&mut zone_fk(
                        "fk_land_result_zone",
                        LandResult::Table,
                        LandResult::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_land_result_run",
                        (LandResult::Table, LandResult::RunId),
                        (LandRun::Table, LandRun::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_land_result_enterprise",
                        (LandResult::Table, LandResult::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_land_result_run_enterprise",
            LandResult::Table,
            vec![LandResult::RunId, LandResult::EnterpriseId],
        )
        .await?;
        index(
            manager,
            "ix_land_result_run_rank",
            LandResult::Table,
            vec![LandResult::RunId, LandResult::Rank],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(LandObjection::Table)
                    .col(big_pk_auto(LandObjection::Id))
                    .col(big_integer(LandObjection::ZoneId))
                    .col(big_integer(LandObjection::RunId))
                    .col(big_integer(LandObjection::ResultId))
                    .col(big_integer(LandObjection::EnterpriseId))
                    .col(text(LandObjection::Reason))
                    .col(text(LandObjection::Evidence))
                    // `open`, `accepted` (data corrected, re-run), `rejected`.
                    .col(string_len(LandObjection::Status, 16))
                    .col(big_integer_null(LandObjection::DepartmentId))
                    .col(text_null(LandObjection::Answer))
                    .col(big_integer_null(LandObjection::ResolvedBy))
                    .col(timestamp_with_time_zone_null(LandObjection::ResolvedAt))
                    .col(big_integer_null(LandObjection::CreatedBy))
                    .foreign_key(&mut zone_fk(
                        "fk_land_objection_zone",
                        LandObjection::Table,
                        LandObjection::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_land_objection_result",
                        (LandObjection::Table, LandObjection::ResultId),
                        (LandResult::Table, LandResult::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_land_objection_run_status",
            LandObjection::Table,
            vec![LandObjection::RunId, LandObjection::Status],
        )
        .await?;

        // Differentiated policies per class (差别化政策: 电价、水价、用地、扶持资金 …).
        manager
            .create_table(stamped(
                Table::create()
                    .table(LandMeasure::Table)
                    .col(big_pk_auto(LandMeasure::Id))
                    .col(big_integer(LandMeasure::ZoneId))
                    .col(string_len(LandMeasure::SchemeId, 100))
                    .col(string_len(LandMeasure::ClassName, 50))
                    // 电价, 水价, 用地, 用能, 排污, 扶持资金, 信贷 …
                    .col(string_len(LandMeasure::Category, 50))
                    .col(string_len(LandMeasure::Measure, 500))
                    // Who applies it (the utility or department the list is exported for).
                    .col(string_len(LandMeasure::Department, 100))
                    .foreign_key(&mut zone_fk(
                        "fk_land_measure_zone",
                        LandMeasure::Table,
                        LandMeasure::ZoneId,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_land_measure_zone_scheme",
            LandMeasure::Table,
            vec![LandMeasure::ZoneId, LandMeasure::SchemeId],
        )
        .await?;

        // D-class clearance (全面出清 D 类企业): one case per D firm of a final run.
        manager
            .create_table(stamped(
                Table::create()
                    .table(ClearanceCase::Table)
                    .col(big_pk_auto(ClearanceCase::Id))
                    .col(big_integer(ClearanceCase::ZoneId))
                    .col(big_integer(ClearanceCase::RunId))
                    .col(big_integer(ClearanceCase::ResultId))
                    .col(big_integer(ClearanceCase::EnterpriseId))
                    // One of the five routes (`revitalize`, `upgrade`, `eliminate`, `relieve`,
                    // `buy_back`), or none yet.
                    .col(string_len_null(ClearanceCase::Route, 20))
                    .col(text(ClearanceCase::Actions))
                    .col(big_integer_null(ClearanceCase::DepartmentId))
                    .col(date_null(ClearanceCase::Deadline))
                    // `open` or `closed`.
                    .col(string_len(ClearanceCase::Status, 16))
                    .col(date_null(ClearanceCase::ClosedOn))
                    // Land recovered on closing, in ten-thousandths of a 亩.
                    .col(big_integer_null(ClearanceCase::LandRecovered))
                    .col(text_null(ClearanceCase::ClosingNote))
                    .col(big_integer_null(ClearanceCase::CreatedBy))
                    .foreign_key(&mut zone_fk(
                        "fk_clearance_case_zone",
                        ClearanceCase::Table,
                        ClearanceCase::ZoneId,
                    ))
                    .foreign_key(&mut fk(
                        "fk_clearance_case_result",
                        (ClearanceCase::Table, ClearanceCase::ResultId),
                        (LandResult::Table, LandResult::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_clearance_case_enterprise",
                        (ClearanceCase::Table, ClearanceCase::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_clearance_case_result",
            ClearanceCase::Table,
            vec![ClearanceCase::ResultId],
        )
        .await?;
        Ok(())
    }
}
