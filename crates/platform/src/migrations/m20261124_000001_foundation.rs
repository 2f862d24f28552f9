//! The foundation: zones, departments, carriers, enterprises and their annual data,
//! accounts, sessions, API tokens and the append-only audit log.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
    Code,
    Name,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
    ZoneId,
    Name,
    ShortName,
    ContactPerson,
    Phone,
    SortOrder,
}

#[derive(DeriveIden)]
enum Carrier {
    Table,
    Id,
    ZoneId,
    Name,
    Kind,
    Address,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
    ZoneId,
    Name,
    Uscc,
    IndustryCode,
    RegisteredOn,
    RegisteredAddress,
    LegalRepresentative,
    Principal,
    Phone,
    FinanceOfficer,
    LandArea,
    Employees,
    LeadingIndustry,
    CarrierId,
    Scale,
    Status,
    Tags,
    ServiceOfficer,
}

#[derive(DeriveIden)]
enum Correction {
    Table,
    Id,
    ZoneId,
    EnterpriseId,
    Field,
    CurrentValue,
    ProposedValue,
    Reason,
    Status,
    ProposedBy,
    ReviewedBy,
    ReviewNote,
}

#[derive(DeriveIden)]
enum AnnualData {
    Table,
    Id,
    ZoneId,
    EnterpriseId,
    Year,
    Revenue,
    GrossOutput,
    ValueAdded,
    Tax,
    RdExpense,
    Energy,
    Cod,
    Ammonia,
    SulfurDioxide,
    NitrogenOxides,
    RdStaff,
    TechStaff,
    HitechRevenue,
    InventionPatents,
    SourcesJson,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    ZoneId,
    Username,
    DisplayName,
    Role,
    DepartmentId,
    EnterpriseId,
    PasswordHash,
    Locale,
    Active,
    FailedLogins,
    LockedUntil,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    AccountId,
    CsrfToken,
    ViewingZoneId,
    ExpiresAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    AccountId,
    Name,
    TokenHash,
    TokenPrefix,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ZoneId,
    At,
    ActorAccountId,
    ActorName,
    Action,
    Entity,
    EntityId,
    BeforeJson,
    AfterJson,
    RequestId,
}

#[derive(DeriveIden)]
enum Stamp {
    CreatedAt,
    UpdatedAt,
}

/// `created_at` and `updated_at`, written by the application in UTC.
pub(super) fn stamped(mut table: TableCreateStatement) -> TableCreateStatement {
    table
        .col(timestamp_with_time_zone(Stamp::CreatedAt))
        .col(timestamp_with_time_zone(Stamp::UpdatedAt));
    table
}

pub(super) fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

pub(super) async fn index<T: IntoIden + 'static, C: IntoIden + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: Vec<C>,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    manager.create_index(index.to_owned()).await
}

pub(super) async fn unique<T: IntoIden + 'static, C: IntoIden + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: Vec<C>,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for col in cols {
        index.col(col);
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(stamped(
                Table::create()
                    .table(Zone::Table)
                    .col(big_pk_auto(Zone::Id))
                    .col(string_len_uniq(Zone::Code, 32))
                    .col(string_len(Zone::Name, 100))
                    .to_owned(),
            ))
            .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(Department::Table)
                    .col(big_pk_auto(Department::Id))
                    .col(big_integer(Department::ZoneId))
                    .col(string_len(Department::Name, 100))
                    .col(string_len_null(Department::ShortName, 50))
                    .col(string_len_null(Department::ContactPerson, 50))
                    .col(string_len_null(Department::Phone, 30))
                    .col(integer(Department::SortOrder).default(0))
                    .foreign_key(&mut fk(
                        "fk_department_zone",
                        (Department::Table, Department::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_department_zone_name",
            Department::Table,
            vec![Department::ZoneId, Department::Name],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(Carrier::Table)
                    .col(big_pk_auto(Carrier::Id))
                    .col(big_integer(Carrier::ZoneId))
                    .col(string_len(Carrier::Name, 100))
                    .col(string_len(Carrier::Kind, 20))
                    .col(string_len_null(Carrier::Address, 200))
                    .foreign_key(&mut fk(
                        "fk_carrier_zone",
                        (Carrier::Table, Carrier::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_carrier_zone_name",
            Carrier::Table,
            vec![Carrier::ZoneId, Carrier::Name],
        )
        .await?;

        // Money is BIGINT fen, land BIGINT ten-thousandths of a 亩 (see src/quantity.rs).
        manager
            .create_table(stamped(
                Table::create()
                    .table(Enterprise::Table)
                    .col(big_pk_auto(Enterprise::Id))
                    .col(big_integer(Enterprise::ZoneId))
                    .col(string_len(Enterprise::Name, 200))
                    .col(string_len(Enterprise::Uscc, 18))
                    .col(string_len_null(Enterprise::IndustryCode, 5))
                    .col(date_null(Enterprise::RegisteredOn))
                    .col(string_len_null(Enterprise::RegisteredAddress, 200))
                    .col(string_len_null(Enterprise::LegalRepresentative, 50))
                    .col(string_len_null(Enterprise::Principal, 50))
                    .col(string_len_null(Enterprise::Phone, 30))
                    .col(string_len_null(Enterprise::FinanceOfficer, 50))
                    .col(big_integer_null(Enterprise::LandArea))
                    .col(integer_null(Enterprise::Employees))
                    .col(string_len_null(Enterprise::LeadingIndustry, 50))
                    .col(big_integer_null(Enterprise::CarrierId))
                    .col(string_len_null(Enterprise::Scale, 16))
                    .col(string_len(Enterprise::Status, 16).default("active"))
                    .col(string_len_null(Enterprise::Tags, 500))
                    .col(string_len_null(Enterprise::ServiceOfficer, 50))
                    .foreign_key(&mut fk(
                        "fk_enterprise_zone",
                        (Enterprise::Table, Enterprise::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_enterprise_carrier",
                        (Enterprise::Table, Enterprise::CarrierId),
                        (Carrier::Table, Carrier::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_enterprise_zone_uscc",
            Enterprise::Table,
            vec![Enterprise::ZoneId, Enterprise::Uscc],
        )
        .await?;
        for (name, cols) in [
            ("ix_enterprise_zone_name", vec![Enterprise::ZoneId, Enterprise::Name]),
            (
                "ix_enterprise_zone_industry",
                vec![Enterprise::ZoneId, Enterprise::IndustryCode],
            ),
            (
                "ix_enterprise_zone_carrier",
                vec![Enterprise::ZoneId, Enterprise::CarrierId],
            ),
        ] {
            index(manager, name, Enterprise::Table, cols).await?;
        }

        manager
            .create_table(stamped(
                Table::create()
                    .table(AnnualData::Table)
                    .col(big_pk_auto(AnnualData::Id))
                    .col(big_integer(AnnualData::ZoneId))
                    .col(big_integer(AnnualData::EnterpriseId))
                    .col(integer(AnnualData::Year))
                    .col(big_integer_null(AnnualData::Revenue))
                    .col(big_integer_null(AnnualData::GrossOutput))
                    .col(big_integer_null(AnnualData::ValueAdded))
                    .col(big_integer_null(AnnualData::Tax))
                    .col(big_integer_null(AnnualData::RdExpense))
                    .col(big_integer_null(AnnualData::Energy))
                    .col(big_integer_null(AnnualData::Cod))
                    .col(big_integer_null(AnnualData::Ammonia))
                    .col(big_integer_null(AnnualData::SulfurDioxide))
                    .col(big_integer_null(AnnualData::NitrogenOxides))
                    .col(integer_null(AnnualData::RdStaff))
                    .col(integer_null(AnnualData::TechStaff))
                    .col(big_integer_null(AnnualData::HitechRevenue))
                    .col(integer_null(AnnualData::InventionPatents))
                    .col(text_null(AnnualData::SourcesJson))
                    .foreign_key(&mut fk(
                        "fk_annual_data_zone",
                        (AnnualData::Table, AnnualData::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_annual_data_enterprise",
                        (AnnualData::Table, AnnualData::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_annual_data_zone_enterprise_year",
            AnnualData::Table,
            vec![AnnualData::ZoneId, AnnualData::EnterpriseId, AnnualData::Year],
        )
        .await?;
        index(
            manager,
            "ix_annual_data_zone_year",
            AnnualData::Table,
            vec![AnnualData::ZoneId, AnnualData::Year],
        )
        .await?;

        // Corrections an enterprise user proposes to its own registry record, for review.
        manager
            .create_table(stamped(
                Table::create()
                    .table(Correction::Table)
                    .col(big_pk_auto(Correction::Id))
                    .col(big_integer(Correction::ZoneId))
                    .col(big_integer(Correction::EnterpriseId))
                    .col(string_len(Correction::Field, 32))
                    .col(string_len_null(Correction::CurrentValue, 500))
                    .col(string_len(Correction::ProposedValue, 500))
                    .col(string_len(Correction::Reason, 500))
                    .col(string_len(Correction::Status, 16).default("pending"))
                    .col(big_integer(Correction::ProposedBy))
                    .col(big_integer_null(Correction::ReviewedBy))
                    .col(string_len_null(Correction::ReviewNote, 500))
                    .foreign_key(&mut fk(
                        "fk_correction_zone",
                        (Correction::Table, Correction::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_correction_enterprise",
                        (Correction::Table, Correction::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_correction_zone_status",
            Correction::Table,
            vec![Correction::ZoneId, Correction::Status],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(Account::Table)
                    .col(big_pk_auto(Account::Id))
                    .col(big_integer_null(Account::ZoneId))
                    .col(string_len_uniq(Account::Username, 64))
                    .col(string_len(Account::DisplayName, 100))
                    .col(string_len(Account::Role, 16))
                    .col(big_integer_null(Account::DepartmentId))
                    .col(big_integer_null(Account::EnterpriseId))
                    .col(string_len(Account::PasswordHash, 200))
                    .col(string_len(Account::Locale, 8).default("zh"))
                    .col(boolean(Account::Active).default(true))
                    .col(integer(Account::FailedLogins).default(0))
                    .col(timestamp_with_time_zone_null(Account::LockedUntil))
                    .col(timestamp_with_time_zone_null(Account::LastLoginAt))
                    .foreign_key(&mut fk(
                        "fk_account_zone",
                        (Account::Table, Account::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_account_department",
                        (Account::Table, Account::DepartmentId),
                        (Department::Table, Department::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_account_enterprise",
                        (Account::Table, Account::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(manager, "ix_account_zone", Account::Table, vec![Account::ZoneId]).await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(Session::Table)
                    .col(string_len(Session::Id, 64).primary_key())
                    .col(big_integer(Session::AccountId))
                    .col(string_len(Session::CsrfToken, 64))
                    .col(big_integer_null(Session::ViewingZoneId))
                    .col(timestamp_with_time_zone(Session::ExpiresAt))
                    .col(timestamp_with_time_zone(Session::LastSeenAt))
                    .foreign_key(&mut fk(
                        "fk_session_account",
                        (Session::Table, Session::AccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            ))
            .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(ApiToken::Table)
                    .col(big_pk_auto(ApiToken::Id))
                    .col(big_integer(ApiToken::AccountId))
                    .col(string_len(ApiToken::Name, 100))
                    .col(string_len_uniq(ApiToken::TokenHash, 64))
                    .col(string_len(ApiToken::TokenPrefix, 16))
                    .col(timestamp_with_time_zone_null(ApiToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .foreign_key(&mut fk(
                        "fk_api_token_account",
                        (ApiToken::Table, ApiToken::AccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            ))
            .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(big_integer_null(AuditLog::ZoneId))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(big_integer_null(AuditLog::ActorAccountId))
                    .col(string_len(AuditLog::ActorName, 100))
                    .col(string_len(AuditLog::Action, 32))
                    .col(string_len(AuditLog::Entity, 64))
                    .col(string_len(AuditLog::EntityId, 64))
                    .col(text_null(AuditLog::BeforeJson))
                    .col(text_null(AuditLog::AfterJson))
                    .col(string_len_null(AuditLog::RequestId, 64))
                    .to_owned(),
            ))
            .await?;
        for (name, cols) in [
            ("ix_audit_zone_at", vec![AuditLog::ZoneId, AuditLog::At]),
            (
                "ix_audit_zone_entity",
                vec![AuditLog::ZoneId, AuditLog::Entity, AuditLog::EntityId],
            ),
        ] {
            index(manager, name, AuditLog::Table, cols).await?;
        }

        // The audit log is append-only: the database itself refuses UPDATE and DELETE, so not
        // even a bug or a hand-typed statement through the application's account can rewrite it.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{lower} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
                        lower = op.to_lowercase()
                    ))
                    .await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();",
                )
                .await?;
                db.execute_unprepared("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;")
                    .await?;
            }
            other => {
                return Err(DbErr::Migration(format!("unsupported database backend {other:?}")));
            }
        }
        Ok(())
    }
}
