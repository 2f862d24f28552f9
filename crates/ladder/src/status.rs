//! Where an enterprise stands against a tier in the cultivation pool (培育库), with its Chinese
//! label in one place. A result's own status (`qualifies`, `unknown`, `fails`) is the rules
//! engine's [`Status`]; a criteria version's status (`active`, `retired`) is
//! [`gaoxin_platform::versions::VersionStatus`].

use gaoxin_rules::ladder::Status;

gaoxin_core::coded_enum! {
    /// What the pool lists a result as, and what a pool list can be narrowed to (`?kind=`):
    /// qualifying and not yet recognised (可申报), one failing item within the margin (差一项),
    /// nothing known fails but data is missing (需补充数据), or already recognised (已认定).
    pub enum CandidateKind {
        Qualifies = "qualifies" / "可申报",
        WithinReach = "within_reach" / "差一项",
        Unknown = "unknown" / "需补充数据",
        Held = "held" / "已认定",
    }
}

impl CandidateKind {
    /// The kind of a result: a held recognition comes first, then a qualifying status, then
    /// within reach, then missing data; a result that plainly fails is none of them. (Within
    /// reach only ever marks a failing result, so it never meets `unknown`.)
    pub fn of_result(held: bool, status: &str, within_reach: bool) -> Option<CandidateKind> {
        if held {
            Some(CandidateKind::Held)
        } else if status == Status::Qualifies.code() {
            Some(CandidateKind::Qualifies)
        } else if within_reach {
            Some(CandidateKind::WithinReach)
        } else if status == Status::Unknown.code() {
            Some(CandidateKind::Unknown)
        } else {
            None
        }
    }

    /// The label of a result in the pool's export: its kind, or 不符合 when it fails.
    pub fn kind_label(held: bool, status: &str, within_reach: bool) -> &'static str {
        CandidateKind::of_result(held, status, within_reach).map_or(Status::Fails.label(), CandidateKind::label)
    }

    /// The message key of the kind on the (bilingual) pool page.
    pub fn message_key(self) -> &'static str {
        match self {
            CandidateKind::Qualifies => "ladder.qualifies",
            CandidateKind::WithinReach => "ladder.within_reach",
            CandidateKind::Unknown => "ladder.unknown",
            CandidateKind::Held => "ladder.held",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_reads_as_one_kind() {
        assert_eq!(
            CandidateKind::of_result(true, "fails", false),
            Some(CandidateKind::Held)
        );
        assert_eq!(
            CandidateKind::of_result(false, "qualifies", false),
            Some(CandidateKind::Qualifies)
        );
        assert_eq!(
            CandidateKind::of_result(false, "fails", true),
            Some(CandidateKind::WithinReach)
        );
        assert_eq!(
            CandidateKind::of_result(false, "unknown", false),
            Some(CandidateKind::Unknown)
        );
        assert_eq!(CandidateKind::of_result(false, "fails", false), None);
        assert_eq!(CandidateKind::kind_label(false, "fails", false), "不符合");
        assert_eq!(CandidateKind::kind_label(false, "fails", true), "差一项");
        assert_eq!(CandidateKind::of("within_reach"), Some(CandidateKind::WithinReach));
    }
}
