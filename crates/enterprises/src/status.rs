//! The closed sets of codes of the registry, each with its Chinese label in one place: an
//! enterprise's 经营状态 and 企业规模, a correction's status, a carrier's kind, what an import
//! reads, and how an imported row changes the registry. The database columns keep the code;
//! pages, templates and exports show the label.

gaoxin_core::coded_enum! {
    /// An enterprise's 经营状态: operating, moved out of the zone, or deregistered. A stored
    /// code that is none of these reads as `Active` (the column's default).
    #[derive(Default)]
    pub enum Status {
        #[default]
        Active = "active" / "在营",
        MovedOut = "moved_out" / "迁出",
        Deregistered = "deregistered" / "注销",
    }
}

impl Status {
    /// Reads a cell or a stored code: the label, the code, or a business-licence synonym
    /// (存续, 吊销 …) that registration exports use.
    pub fn parse(text: &str) -> Option<Status> {
        let text = text.trim();
        Status::ALL
            .iter()
            .copied()
            .find(|s| s.label() == text || s.code() == text)
            .or(match text {
                "存续" | "开业" | "正常" => Some(Status::Active),
                "吊销" | "注销中" => Some(Status::Deregistered),
                _ => None,
            })
    }
}

gaoxin_core::coded_enum! {
    /// 规上 / 规下 (规模以上工业企业: revenue ≥ 20 million yuan).
    pub enum Scale {
        Above = "above" / "规上",
        Below = "below" / "规下",
    }
}

impl Scale {
    /// Reads a cell or a stored code: the code, the short label or the full term.
    pub fn parse(text: &str) -> Option<Scale> {
        match text.trim() {
            "规上" | "规模以上" | "above" => Some(Scale::Above),
            "规下" | "规模以下" | "below" => Some(Scale::Below),
            _ => None,
        }
    }
}

gaoxin_core::coded_enum! {
    /// A correction's status: proposed by the enterprise and awaiting review, or decided by a
    /// department (applied to the record, or returned with a note).
    pub enum CorrectionStatus {
        Pending = "pending" / "待审核",
        Approved = "approved" / "已采纳",
        Rejected = "rejected" / "已退回",
    }
}

impl CorrectionStatus {
    /// The label pages show for a stored code; anything that is not a decision still awaits
    /// review, so an unknown code reads as pending.
    pub fn shown(code: &str) -> &'static str {
        CorrectionStatus::of(code).unwrap_or(CorrectionStatus::Pending).label()
    }
}

gaoxin_core::coded_enum! {
    /// What a carrier (所属载体) is. Carriers that an import or a correction names for the
    /// first time are created as `Building`, the most general kind, for a person to refine.
    pub enum CarrierKind {
        Incubator = "incubator" / "孵化器",
        MakerSpace = "maker_space" / "众创空间",
        Accelerator = "accelerator" / "加速器",
        IndustrialPark = "industrial_park" / "产业园",
        Building = "building" / "楼宇",
    }
}

gaoxin_core::coded_enum! {
    /// What an import file holds: the registry itself, annual data, or innovation data. The
    /// code is the `kind` field of the import form and API; the label names it in messages.
    #[derive(Default)]
    pub enum ImportKind {
        #[default]
        Enterprise = "enterprise" / "企业",
        Annual = "annual" / "年度数据",
        Innovation = "innovation" / "创新指标",
    }
}

impl ImportKind {
    /// The message key that names the kind on the bilingual import pages.
    pub const fn message_key(self) -> &'static str {
        match self {
            ImportKind::Enterprise => "enterprise.kind_enterprise",
            ImportKind::Annual => "enterprise.kind_annual",
            ImportKind::Innovation => "enterprise.kind_innovation",
        }
    }
}

gaoxin_core::coded_enum! {
    /// How a row of an import changes the registry (the preview lists both; unchanged rows are
    /// only counted).
    pub enum ChangeKind {
        New = "new" / "新增",
        Changed = "changed" / "更新",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_labels_codes_and_synonyms() {
        assert_eq!(Status::parse(" 迁出 "), Some(Status::MovedOut));
        assert_eq!(Status::parse("deregistered"), Some(Status::Deregistered));
        assert_eq!(Status::parse("存续"), Some(Status::Active));
        assert_eq!(Status::parse("停业"), None);
        assert_eq!(Status::default(), Status::Active);
        assert_eq!(Scale::parse("规模以上"), Some(Scale::Above));
        assert_eq!(Scale::parse("below"), Some(Scale::Below));
    }

    #[test]
    fn every_import_kind_is_named_in_the_messages() {
        for kind in ImportKind::ALL {
            assert!(
                gaoxin_platform::i18n::MESSAGES.contains_key(kind.message_key()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn an_undecided_correction_reads_as_pending() {
        assert_eq!(CorrectionStatus::shown("approved"), "已采纳");
        assert_eq!(CorrectionStatus::shown("rejected"), "已退回");
        assert_eq!(CorrectionStatus::shown("pending"), "待审核");
        assert_eq!(CorrectionStatus::shown("something"), "待审核");
    }
}
