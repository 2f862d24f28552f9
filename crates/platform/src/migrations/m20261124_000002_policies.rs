//! Policy cash-out: the policy versions a zone has loaded (the rule file's text, kept forever:
//! old batches recompute with it), the events awards are paid on, payment batches and their
//! award lines, and applications (快申快享) with their attachments.

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
enum PolicyVersion {
    Table,
    Id,
    ZoneId,
    PolicyId,
    Version,
    FileName,
    Source,
    Title,
    DocumentNumber,
    EffectiveFrom,
    EffectiveTo,
    Example,
    Status,
    LoadedBy,
}

#[derive(DeriveIden)]
enum PolicyEvent {
    Table,
    Id,
    ZoneId,
    EnterpriseId,
    Kind,
    Year,
    OccurredOn,
    StartedOn,
    Reference,
    Category,
    Level,
    Amount,
    SecondaryAmount,
    Quantity,
    Certified,
    FirstTime,
    Note,
}

#[derive(DeriveIden)]
enum PaymentBatch {
    Table,
    Id,
    ZoneId,
    Year,
    Title,
    Status,
    PolicyVersions,
    InputHash,
    LineCount,
    Total,
    CreatedBy,
    SubmittedBy,
    ApprovedBy,
    ApprovedAt,
    ReturnNote,
}

#[derive(DeriveIden)]
enum AwardLine {
    Table,
    Id,
    ZoneId,
    BatchId,
    EnterpriseId,
    EventId,
    PolicyId,
    PolicyVersionId,
    AwardId,
    AwardName,
    ArticleId,
    Amount,
    Explanation,
    Excluded,
    ExcludeReason,
    ApplicationId,
}

#[derive(DeriveIden)]
enum PolicyApplication {
    Table,
    Id,
    ZoneId,
    EnterpriseId,
    Year,
    PolicyId,
    AwardId,
    AwardName,
    EventId,
    Statement,
    Status,
    Amount,
    Explanation,
    ReviewNote,
    SubmittedBy,
    ReviewedBy,
    BatchId,
}

#[derive(DeriveIden)]
enum ApplicationAttachment {
    Table,
    Id,
    ZoneId,
    ApplicationId,
    FileName,
    ContentType,
    Size,
    Data,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(stamped(
                Table::create()
                    .table(PolicyVersion::Table)
                    .col(big_pk_auto(PolicyVersion::Id))
                    .col(big_integer(PolicyVersion::ZoneId))
                    .col(string_len(PolicyVersion::PolicyId, 100))
                    .col(string_len(PolicyVersion::Version, 64))
                    .col(string_len(PolicyVersion::FileName, 200))
                    .col(text(PolicyVersion::Source))
                    .col(string_len(PolicyVersion::Title, 300))
                    .col(string_len(PolicyVersion::DocumentNumber, 100))
                    .col(date(PolicyVersion::EffectiveFrom))
                    .col(date_null(PolicyVersion::EffectiveTo))
                    .col(boolean(PolicyVersion::Example).default(false))
                    // `active` (in use), `retired` (replaced by a later version), `draft` (what-if).
                    .col(string_len(PolicyVersion::Status, 16))
                    .col(big_integer_null(PolicyVersion::LoadedBy))
                    .foreign_key(&mut fk(
                        "fk_policy_version_zone",
                        (PolicyVersion::Table, PolicyVersion::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_policy_version_zone_version",
            PolicyVersion::Table,
            vec![PolicyVersion::ZoneId, PolicyVersion::Version],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(PolicyEvent::Table)
                    .col(big_pk_auto(PolicyEvent::Id))
                    .col(big_integer(PolicyEvent::ZoneId))
                    .col(big_integer(PolicyEvent::EnterpriseId))
                    .col(string_len(PolicyEvent::Kind, 32))
                    .col(integer(PolicyEvent::Year))
                    .col(date(PolicyEvent::OccurredOn))
                    // A lease's move-in date (its rent is paid each year).
                    .col(date_null(PolicyEvent::StartedOn))
                    .col(string_len(PolicyEvent::Reference, 200))
                    .col(string_len_null(PolicyEvent::Category, 100))
                    .col(string_len_null(PolicyEvent::Level, 32))
                    // Money in fen.
                    .col(big_integer_null(PolicyEvent::Amount))
                    .col(big_integer_null(PolicyEvent::SecondaryAmount))
                    // Counts and areas, in hundredths.
                    .col(big_integer_null(PolicyEvent::Quantity))
                    .col(boolean_null(PolicyEvent::Certified))
                    .col(boolean_null(PolicyEvent::FirstTime))
                    .col(string_len_null(PolicyEvent::Note, 500))
                    .foreign_key(&mut fk(
                        "fk_policy_event_zone",
                        (PolicyEvent::Table, PolicyEvent::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_policy_event_enterprise",
                        (PolicyEvent::Table, PolicyEvent::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_policy_event_zone_kind_enterprise_reference",
            PolicyEvent::Table,
            vec![
                PolicyEvent::ZoneId,
                PolicyEvent::Kind,
                PolicyEvent::EnterpriseId,
                PolicyEvent::Reference,
            ],
        )
        .await?;
        index(
            manager,
            "ix_policy_event_zone_year",
            PolicyEvent::Table,
            vec![PolicyEvent::ZoneId, PolicyEvent::Year],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(PaymentBatch::Table)
                    .col(big_pk_auto(PaymentBatch::Id))
                    .col(big_integer(PaymentBatch::ZoneId))
                    .col(integer(PaymentBatch::Year))
                    .col(string_len(PaymentBatch::Title, 200))
                    // `draft` → `submitted` → `approved` (locked); a leader may return to `draft`.
                    .col(string_len(PaymentBatch::Status, 16))
                    // JSON: [{"policy", "version_id", "version"}] — the rule versions used.
                    .col(text(PaymentBatch::PolicyVersions))
                    // SHA-256 of every input case, in order.
                    .col(string_len(PaymentBatch::InputHash, 64))
                    .col(big_integer(PaymentBatch::LineCount))
                    // Fen, lines not excluded.
                    .col(big_integer(PaymentBatch::Total))
                    .col(big_integer(PaymentBatch::CreatedBy))
                    .col(big_integer_null(PaymentBatch::SubmittedBy))
                    .col(big_integer_null(PaymentBatch::ApprovedBy))
                    .col(timestamp_with_time_zone_null(PaymentBatch::ApprovedAt))
                    .col(string_len_null(PaymentBatch::ReturnNote, 500))
                    .foreign_key(&mut fk(
                        "fk_payment_batch_zone",
                        (PaymentBatch::Table, PaymentBatch::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(AwardLine::Table)
                    .col(big_pk_auto(AwardLine::Id))
                    .col(big_integer(AwardLine::ZoneId))
                    .col(big_integer(AwardLine::BatchId))
                    .col(big_integer(AwardLine::EnterpriseId))
                    .col(big_integer_null(AwardLine::EventId))
                    .col(string_len(AwardLine::PolicyId, 100))
                    .col(big_integer(AwardLine::PolicyVersionId))
                    .col(string_len(AwardLine::AwardId, 100))
                    .col(string_len(AwardLine::AwardName, 200))
                    .col(string_len(AwardLine::ArticleId, 200))
                    // Fen.
                    .col(big_integer(AwardLine::Amount))
                    // JSON `rules::eval::Explanation`.
                    .col(text(AwardLine::Explanation))
                    .col(boolean(AwardLine::Excluded).default(false))
                    .col(string_len_null(AwardLine::ExcludeReason, 500))
                    // Set for a line that comes from an approved application (快申快享).
                    .col(big_integer_null(AwardLine::ApplicationId))
                    .foreign_key(&mut fk(
                        "fk_award_line_zone",
                        (AwardLine::Table, AwardLine::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_award_line_batch",
                        (AwardLine::Table, AwardLine::BatchId),
                        (PaymentBatch::Table, PaymentBatch::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_award_line_enterprise",
                        (AwardLine::Table, AwardLine::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_award_line_policy_version",
                        (AwardLine::Table, AwardLine::PolicyVersionId),
                        (PolicyVersion::Table, PolicyVersion::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_award_line_batch",
            AwardLine::Table,
            vec![AwardLine::BatchId],
        )
        .await?;
        index(
            manager,
            "ix_award_line_zone_enterprise",
            AwardLine::Table,
            vec![AwardLine::ZoneId, AwardLine::EnterpriseId],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(PolicyApplication::Table)
                    .col(big_pk_auto(PolicyApplication::Id))
                    .col(big_integer(PolicyApplication::ZoneId))
                    .col(big_integer(PolicyApplication::EnterpriseId))
                    .col(integer(PolicyApplication::Year))
                    .col(string_len(PolicyApplication::PolicyId, 100))
                    .col(string_len(PolicyApplication::AwardId, 100))
                    .col(string_len(PolicyApplication::AwardName, 200))
                    .col(big_integer_null(PolicyApplication::EventId))
                    .col(text(PolicyApplication::Statement))
                    // `submitted` → `approved` or `returned`.
                    .col(string_len(PolicyApplication::Status, 16))
                    // Fen, computed by the rules when approved.
                    .col(big_integer_null(PolicyApplication::Amount))
                    .col(text_null(PolicyApplication::Explanation))
                    .col(string_len_null(PolicyApplication::ReviewNote, 500))
                    .col(big_integer(PolicyApplication::SubmittedBy))
                    .col(big_integer_null(PolicyApplication::ReviewedBy))
                    .col(big_integer_null(PolicyApplication::BatchId))
                    .foreign_key(&mut fk(
                        "fk_policy_application_zone",
                        (PolicyApplication::Table, PolicyApplication::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_policy_application_enterprise",
                        (PolicyApplication::Table, PolicyApplication::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_policy_application_zone_year",
            PolicyApplication::Table,
            vec![PolicyApplication::ZoneId, PolicyApplication::Year],
        )
        .await?;
        manager
            .create_table(stamped(
                Table::create()
                    .table(ApplicationAttachment::Table)
                    .col(big_pk_auto(ApplicationAttachment::Id))
                    .col(big_integer(ApplicationAttachment::ZoneId))
                    .col(big_integer(ApplicationAttachment::ApplicationId))
                    .col(string_len(ApplicationAttachment::FileName, 200))
                    .col(string_len(ApplicationAttachment::ContentType, 100))
                    .col(big_integer(ApplicationAttachment::Size))
                    .col(blob(ApplicationAttachment::Data))
                    .foreign_key(&mut fk(
                        "fk_application_attachment_zone",
                        (ApplicationAttachment::Table, ApplicationAttachment::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_application_attachment_application",
                        (ApplicationAttachment::Table, ApplicationAttachment::ApplicationId),
                        (PolicyApplication::Table, PolicyApplication::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "application_attachment",
            "policy_application",
            "award_line",
            "payment_batch",
            "policy_event",
            "policy_version",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
