//! Recovery codes: generate, normalise and format (microseconds) apart from Argon2id hashing
//! and verification (milliseconds), which dominates and is reported separately.

use criterion::{Criterion, criterion_group, criterion_main};
use recovery_desk::domain::recovery_code;
use recovery_desk::secret::{self, OsEntropy, Secret};
use std::hint::black_box;

fn codes(c: &mut Criterion) {
    let mut g = c.benchmark_group("recovery_code");
    g.bench_function("generate", |b| {
        b.iter(|| black_box(recovery_code::generate(&mut OsEntropy).unwrap()))
    });
    g.bench_function("normalise", |b| {
        b.iter(|| {
            black_box(recovery_code::normalise(black_box("abcde fghjk mnpqr stvwx yz012")).unwrap())
        })
    });
    let code = recovery_code::generate(&mut OsEntropy).unwrap();
    g.bench_function("format", |b| {
        b.iter(|| black_box(recovery_code::format(&code)))
    });
    g.finish();

    let mut g = c.benchmark_group("argon2id_m19456_t2_p1");
    g.sample_size(20);
    let phc = secret::hash(&code, &mut OsEntropy).unwrap();
    g.bench_function("hash", |b| {
        b.iter(|| black_box(secret::hash(&code, &mut OsEntropy).unwrap()))
    });
    let typed = Secret::new(code.expose());
    g.bench_function("verify", |b| {
        b.iter(|| black_box(secret::verify(&typed, &phc).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, codes);
criterion_main!(benches);
