//! Recipients by name, with their running totals: the lookup every evaluated case does, laid out
//! so that a run of a million rows over 250,000 recipients stays in cache as much as it can.

use std::collections::HashMap;

use rust_decimal::Decimal;

/// FNV-1a, for the rare recipient name longer than 15 bytes.
#[derive(Default)]
pub(super) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(super) type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Hashes a packed name: one folded multiply and the murmur3 finaliser. Recipients are codes,
/// not attacker-chosen keys; SipHash over a string on the heap was a tenth of a 1M-row run.
pub(super) fn hash_key(key: u128) -> u64 {
    let m = u128::from((key as u64) ^ 0x243f_6a88_85a3_08d3) * u128::from(((key >> 64) as u64) ^ 0x1319_8a2e_0370_7344);
    let h = (m as u64) ^ ((m >> 64) as u64);
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// A name of up to 15 bytes packed with its length (in the last byte) into a u128; None: longer.
pub(super) fn pack(name: &str) -> Option<u128> {
    let bytes = name.as_bytes();
    if bytes.len() > 15 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..bytes.len()].copy_from_slice(bytes);
    buf[15] = bytes.len() as u8;
    Some(u128::from_le_bytes(buf))
}

/// The first 16 bytes of a name, zero-padded, as a big-endian number: two names whose keys
/// differ are in the order of their keys; equal keys need the full comparison.
pub(super) fn sort_key(name: &str) -> u128 {
    let bytes = name.as_bytes();
    let n = bytes.len().min(16);
    let mut buf = [0u8; 16];
    buf[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(buf)
}

/// The last byte of the key of a name longer than 15 bytes (its first 8 bytes are then its
/// index in `Recipients::long_names`).
const LONG: u8 = 0xFF;

/// One recipient: its name (packed) and its total so far, 32 bytes: finding a recipient and
/// adding to its total touch one cache line.
#[derive(Clone, Copy, Debug)]
pub(super) struct Recipient {
    pub(super) key: [u8; 16],
    pub(super) total: Decimal,
}

/// Recipients by name, with their totals. Open addressing over ids (a table of u32 at most half
/// full) and the names packed in the recipients themselves: a lookup reads one table slot and
/// one recipient, no string on the heap. With 250,000 recipients, a map of boxed names cost a
/// cache miss or three per row, which is what made a 1M-row run grow faster than its input.
#[derive(Debug, Default)]
pub(super) struct Recipients {
    /// Slot → id + 1 (0: empty); its length is 0 or a power of two.
    pub(super) table: Vec<u32>,
    pub(super) list: Vec<Recipient>,
    pub(super) long_names: Vec<Box<str>>,
    pub(super) long_ids: FnvMap<Box<str>, u32>,
}

impl Recipients {
    pub(super) fn len(&self) -> usize {
        self.list.len()
    }

    pub(super) fn name(&self, id: usize) -> &str {
        let key = &self.list[id].key;
        if key[15] == LONG {
            let mut index = [0u8; 8];
            index.copy_from_slice(&key[..8]);
            &self.long_names[u64::from_le_bytes(index) as usize]
        } else {
            std::str::from_utf8(&key[..usize::from(key[15])]).expect("a whole name, packed")
        }
    }

    /// The id of `name`, added with a total of 0 when new; and whether it is new.
    pub(super) fn id(&mut self, name: &str) -> (usize, bool) {
        let Some(key) = pack(name) else {
            return self.long_id(name);
        };
        if self.list.len() * 2 >= self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut slot = hash_key(key) as usize & mask;
        loop {
            match self.table[slot] {
                0 => {
                    let id = self.list.len();
                    self.table[slot] = id as u32 + 1;
                    self.list.push(Recipient {
                        key: key.to_le_bytes(),
                        total: Decimal::ZERO,
                    });
                    return (id, true);
                }
                n if u128::from_le_bytes(self.list[n as usize - 1].key) == key => return (n as usize - 1, false),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn long_id(&mut self, name: &str) -> (usize, bool) {
        if let Some(id) = self.long_ids.get(name) {
            return (*id as usize, false);
        }
        let id = self.list.len();
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&(self.long_names.len() as u64).to_le_bytes());
        key[15] = LONG;
        self.long_names.push(name.into());
        self.long_ids.insert(name.into(), id as u32);
        self.list.push(Recipient {
            key,
            total: Decimal::ZERO,
        });
        (id, true)
    }

    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(1024);
        let mask = size - 1;
        let mut table = vec![0u32; size];
        for (id, r) in self.list.iter().enumerate() {
            if r.key[15] == LONG {
                continue;
            }
            let mut slot = hash_key(u128::from_le_bytes(r.key)) as usize & mask;
            while table[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            table[slot] = id as u32 + 1;
        }
        self.table = table;
    }
}
