//! Desk lookup, warm (SPEC §7: ≤ 200 µs median): exact lookup of a random account among
//! `RD_BENCH_ACCOUNTS` (1,000,000 unless set) by username, email, phone or id, plus everything
//! its view shows, over the read-only connection the desk uses. The database file is read
//! once first, so it is in the OS page cache ("warm"); `benches/desk_cold.rs` measures the
//! opposite.
//!
//! `cargo bench --bench desk_lookup`, or `RD_BENCH_ACCOUNTS=10000000 cargo bench --bench desk_lookup`.

#[path = "common.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng, rngs::StdRng};
use recovery_desk::domain::identifier::Lookup;
use recovery_desk::store::ReadStore;
use recovery_desk::store::Store;
use recovery_desk::store::bulk::Synthetic;
use std::hint::black_box;
use std::io::Read;

/// Reads the whole file, so the OS page cache holds it.
fn warm(path: &std::path::Path) {
    let mut f = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    while f.read(&mut buf).unwrap() > 0 {}
}

fn lookup(c: &mut Criterion) {
    let db = common::bench_db();
    let accounts = common::accounts();
    warm(&db);
    let store = Store::open_read_only(&db).unwrap();
    let now = chrono::Utc::now();
    let mut rng = StdRng::seed_from_u64(42);
    let mut group = c.benchmark_group(format!("desk_lookup_{accounts}"));
    for kind in ["username", "email", "phone", "account_id"] {
        group.bench_function(kind, |b| {
            b.iter(|| {
                // Pick a random account that has this kind of identifier.
                let (n, s) = loop {
                    let n = rng.random_range(0..accounts);
                    let s = Synthetic::nth(n);
                    let ok = match kind {
                        "email" => s.email.is_some(),
                        "phone" => s.phone.is_some(),
                        _ => true,
                    };
                    if ok {
                        break (n, s);
                    }
                };
                let typed = match kind {
                    "username" => s.username.to_uppercase(),
                    "email" => s.email.unwrap(),
                    "phone" => s.phone.unwrap(),
                    _ => format!("#{}", n + 1),
                };
                let l = Lookup::parse(&typed).unwrap();
                let account = store.find_account(&l).unwrap().expect("found");
                black_box(store.account_view(account.id, now).unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
