use std::net::TcpListener;

use anyhow::Context;
use kitap_api::ServerSettings;
use kitap_app::{Config, SeedReport, DEMO_PASSWORD};

use crate::cli::open;

pub fn run(config: &Config, demo: bool) -> anyhow::Result<()> {
    let app = open(config)?;
    let admin_password = std::env::var("KITAP_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let report = app
        .seed(admin_password, demo)
        .context("seeding the database")?;
    print_seed_report(&report);
    let listener = TcpListener::bind(&config.server.listen)
        .with_context(|| format!("listening on {}", config.server.listen))?;
    let address = listener.local_addr()?;
    println!(
        "Kitap is serving http://{address} on {} (health: /health, API: /api/v1, spec: /api/v1/openapi.json)",
        app.db().url().redacted()
    );
    let settings = ServerSettings {
        workers: config.server.workers,
        max_body_bytes: config.server.max_body_bytes,
        max_upload_bytes: config.server.max_upload_bytes,
        upload_dir: config.upload_dir(),
        search: config.search_settings(),
        search_rate: (
            config.search.rate_limit_per_minute,
            config.search.rate_limit_burst,
        ),
        trusted_proxies: config.server.trusted_proxies.clone(),
    };
    kitap_api::run_blocking(app, &settings, listener).context("serving")
}

fn print_seed_report(report: &SeedReport) {
    if report.branches_added > 0 {
        println!(
            "Added {} libraries from data/branches.toml.",
            report.branches_added
        );
    }
    match &report.admin_created {
        Some((username, Some(password))) => println!(
            "Created the administrator account '{username}' with password: {password}\n\
             (shown once and never stored; change it with `kitap user passwd {username}`)"
        ),
        Some((username, None)) => {
            println!("Created the administrator account '{username}' with the password from KITAP_ADMIN_PASSWORD.")
        }
        None => {}
    }
    for (username, role) in &report.demo_accounts {
        println!("Demo account '{username}' ({role}), password: {DEMO_PASSWORD}");
    }
    if let Some(demo) = report.demo_catalog {
        println!(
            "Loaded the demo catalog: {} records with {} copies over the libraries.",
            demo.records, demo.copies
        );
    }
}
