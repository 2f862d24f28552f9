//! The demo zone's random generator (SplitMix64) and the one distribution several modules
//! share (`amount`). Every module of the demo draws from a `Rng` in a fixed order, so that the
//! same seed gives the same zone.

/// A small, fast, deterministic generator (SplitMix64); no cryptographic use.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

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
