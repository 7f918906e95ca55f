//! argon2id cost at the configured defaults: what one login costs the server.
//! `cargo bench -p kitap-app --bench password_hash`

use criterion::{criterion_group, criterion_main, Criterion};
use kitap_app::config::AuthConfig;
use kitap_app::passwords::PasswordHashing;

fn hashing(c: &mut Criterion) {
    let config = AuthConfig::default();
    let Ok(hashing) = PasswordHashing::new(&config) else {
        return;
    };
    let Ok(stored) = hashing.hash("correct horse battery staple") else {
        return;
    };
    let name = format!(
        "argon2id m={}KiB t={} p={}",
        config.argon2_memory_kib, config.argon2_iterations, config.argon2_parallelism
    );
    let mut group = c.benchmark_group(name);
    group.sample_size(30);
    group.bench_function("hash", |b| {
        b.iter(|| hashing.hash("correct horse battery staple"))
    });
    group.bench_function("verify", |b| {
        b.iter(|| hashing.verify("correct horse battery staple", &stored))
    });
    group.finish();
}

criterion_group!(benches, hashing);
criterion_main!(benches);
