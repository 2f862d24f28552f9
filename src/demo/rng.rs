//! The demo zone's random generator (`gaoxin_core::rng::Rng`, SplitMix64) and the one
//! distribution several modules share (`amount`). Every module of the demo draws from a `Rng` in a fixed order, so that the
//! same seed gives the same zone.

pub use gaoxin_core::rng::Rng;

/// An amount in fen between `low` and `high` yuan, log-uniform: most small, a few large.
pub(super) fn amount(rng: &mut Rng, low: i64, high: i64) -> i64 {
    let mut steps = 0;
    let mut v = low;
    while v * 13 / 10 <= high {
        v = v * 13 / 10;
        steps += 1;
    }
    let mut yuan = low;
    for _ in 0..rng.below(steps + 1) {
        yuan = yuan * 13 / 10;
    }
    (yuan + rng.below(1000) as i64) * 100 + rng.below(100) as i64
}
