//! What an award line may still receive: the per-item cap and the rounding to the fen, then the
//! caps that depend on what was paid before it — per recipient and year, per recipient over all
//! years, the award's budget and the policy's yearly budget (steps 3 to 8 of the module's
//! order). This runs once per line of a million-row run: it only reads and adds to the sums
//! kept here, and writes an explanation only when one is asked for.

use rust_decimal::Decimal;

use super::explain::{Explanation, note_cap};
use super::recipients::FnvMap;
use crate::expr::round_half_up;
use crate::policy::Award;

/// Where a line falls: its policy (by index among those evaluated), its award (by index among
/// all awards evaluated) and its recipient (by id).
#[derive(Clone, Copy, Debug)]
pub(super) struct LineAt {
    pub(super) policy: usize,
    pub(super) award: usize,
    pub(super) recipient: usize,
}

/// What the lines so far have used of every cap.
#[derive(Debug)]
pub(super) struct Ledger {
    /// How many awards are evaluated (the width of a recipient's yearly uses).
    pub(super) award_count: usize,
    /// Per award: what its lines used of the award's budget.
    pub(super) budget_used: Vec<Decimal>,
    /// Per policy: what its lines used of the policy's yearly budget.
    pub(super) policy_budget_used: Vec<Decimal>,
    /// Per recipient, per award: what its capped awards have used this year.
    pub(super) recipient_used: Vec<Option<Box<[Decimal]>>>,
    /// Per (recipient, award) with a total cap: paid before plus this run.
    pub(super) total_used: FnvMap<(u32, u32), Decimal>,
}

impl Ledger {
    pub(super) fn new(award_count: usize, policy_count: usize) -> Ledger {
        Ledger {
            award_count,
            budget_used: vec![Decimal::ZERO; award_count],
            policy_budget_used: vec![Decimal::ZERO; policy_count],
            recipient_used: Vec::new(),
            total_used: FnvMap::default(),
        }
    }

    /// The amount of a line once every cap has bound it, in the documented order; what it uses
    /// of each cap is recorded, and each cap that cut it is noted in the explanation, if any.
    #[inline]
    pub(super) fn bound(
        &mut self,
        award: &Award,
        policy_budget: Option<Decimal>,
        at: LineAt,
        mut amount: Decimal,
        note: &mut Option<Explanation>,
    ) -> Decimal {
        let explaining = note.is_some();
        if let Some(n) = note.as_mut() {
            n.computed = amount.normalize().to_string();
        }
        if let Some(cap) = award.cap_per_item {
            let capped = amount.min(cap);
            note_cap(note, "单项上限", cap, amount, capped);
            amount = capped;
        }
        let rounded = round_half_up(amount, 2);
        if explaining && rounded != amount {
            note_cap(note, "四舍五入到分", rounded, amount, rounded);
        }
        amount = rounded;
        let slot = at.award;
        if let Some(cap) = award.cap_per_recipient_year {
            let count = self.award_count;
            let used =
                self.recipient_used[at.recipient].get_or_insert_with(|| vec![Decimal::ZERO; count].into_boxed_slice());
            let left = cap - used[slot];
            let capped = amount.min(left.max(Decimal::ZERO));
            note_cap(note, "每个对象每年上限（已用后剩余）", left, amount, capped);
            amount = capped;
            used[slot] += amount;
        }
        if let Some(cap) = award.cap_per_recipient_total {
            let used = self.total_used.entry((at.recipient as u32, slot as u32)).or_default();
            let capped = amount.min((cap - *used).max(Decimal::ZERO));
            note_cap(note, "每个对象累计上限（历年已获后剩余）", cap - *used, amount, capped);
            amount = capped;
            *used += amount;
        }
        if let Some(budget) = award.budget {
            let capped = amount.min((budget - self.budget_used[slot]).max(Decimal::ZERO));
            note_cap(
                note,
                "政策总预算（剩余）",
                budget - self.budget_used[slot],
                amount,
                capped,
            );
            amount = capped;
            self.budget_used[slot] += amount;
        }
        if let Some(budget) = policy_budget {
            let left = budget - self.policy_budget_used[at.policy];
            let capped = amount.min(left.max(Decimal::ZERO));
            note_cap(note, "政策年度总预算（各奖励合计，剩余）", left, amount, capped);
            amount = capped;
            self.policy_budget_used[at.policy] += amount;
        }
        amount
    }
}
