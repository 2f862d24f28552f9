//! The projects module's closed sets of codes, each value with the code stored in the database
//! (or sent by a form) and the Chinese label pages show, in one place: problem statuses, the
//! problems page's filter, admission-review decisions, meeting kinds, timeline events, a
//! department's part in a problem, target metrics, the milestones a rulebook marks on its
//! stages, and the two ledgers an import takes. Stage keys and names are not here: they are
//! data, read from the zone's rulebook. Pure: no web framework, no database.

gaoxin_core::coded_enum! {
    /// A problem's stored status (`project_problem.status`). How an open problem stands today
    /// (临期, 逾期, 逾期升级) is not stored: the rulebook computes it from the deadline.
    pub enum ProblemStatus {
        Open = "open" / "在办",
        Resolved = "resolved" / "已解决",
    }
}

gaoxin_core::coded_enum! {
    /// The state filter of the problems page (`?state=`).
    pub enum ProblemFilter {
        Open = "open" / "在办",
        Overdue = "overdue" / "逾期",
        Resolved = "resolved" / "已解决",
    }
}

/// An admission review's decision: the rules engine decides what it suggests.
pub use gaoxin_rules::project_rules::Decision as ReviewDecision;

gaoxin_core::coded_enum! {
    /// A meeting's kind (`project_meeting.kind`): the weekly 会办 or the fortnightly admission
    /// 评审.
    pub enum MeetingKind {
        Weekly = "weekly" / "周会办",
        Review = "review" / "双周评审",
    }
}

gaoxin_core::coded_enum! {
    /// What an event on a project's timeline records.
    pub enum EventKind {
        Stage = "stage" / "转段",
        Problem = "problem" / "提出问题",
        Resolved = "resolved" / "问题解决",
        Comment = "comment" / "批示",
        Decision = "decision" / "会办意见",
        Review = "review" / "准入评审",
    }
}

pub use gaoxin_core::status::DepartmentRole;

gaoxin_core::coded_enum! {
    /// A yearly target's metric (`project_target.metric`); the label names its unit.
    pub enum Metric {
        MajorSigned = "major_signed" / "超亿元项目签约（个）",
        MajorStarted = "major_started" / "超亿元项目开工（个）",
        MajorProducing = "major_producing" / "超亿元项目投产（个）",
        SignedAmount = "signed_amount" / "签约总投资（亿元）",
        Investment = "investment" / "完成投资（亿元）",
    }
}

impl Metric {
    /// The milestone whose 超亿元 projects a count metric counts (None: an amount metric).
    pub fn milestone(self) -> Option<Milestone> {
        match self {
            Metric::MajorSigned => Some(Milestone::Signed),
            Metric::MajorStarted => Some(Milestone::Started),
            Metric::MajorProducing => Some(Milestone::Producing),
            Metric::SignedAmount | Metric::Investment => None,
        }
    }
}

gaoxin_core::coded_enum! {
    /// A milestone a rulebook marks on exactly one of its stages (`counts = "signed"`):
    /// targets, scores and the bulletin count a project as signed, started or producing from
    /// the day it enters that stage.
    pub enum Milestone {
        Signed = "signed" / "签约",
        Started = "started" / "开工",
        Producing = "producing" / "投产",
    }
}

gaoxin_core::coded_enum! {
    /// Which of the two Excel imports an import page's errors are about.
    pub enum Upload {
        Ledger = "ledger" / "招商项目台账",
        Monthly = "monthly" / "月度数据",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_metric_names_a_milestone() {
        let counted: Vec<Milestone> = Metric::ALL.iter().filter_map(|m| m.milestone()).collect();
        assert_eq!(counted, Milestone::ALL);
        assert_eq!(Metric::label_of("signed_amount"), "签约总投资（亿元）");
        assert_eq!(ReviewDecision::of("conditional"), Some(ReviewDecision::Conditional));
    }
}
