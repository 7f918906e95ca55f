use std::net::TcpListener;
use std::path::Path;

use anyhow::Context;
use kitap_api::ServerSettings;
use kitap_app::{Config, SeedReport, DEMO_PASSWORD};

use crate::cli::open;

/// The command line that reaches this server's database again, for the
/// hints printed at start: the program as it was invoked plus the options
/// that chose the database, so the hint works when pasted as printed.
pub struct Again(String);

impl Again {
    pub fn new(config_file: Option<&Path>, config: &Config) -> Again {
        let mut words = vec![program()];
        if let Some(file) = config_file {
            words.push(format!("--config {}", quoted(&file.display().to_string())));
        }
        if config.database.url.trim().is_empty() && config.data_dir != Config::default().data_dir {
            words.push(format!(
                "--data-dir {}",
                quoted(&config.data_dir.display().to_string())
            ));
        }
        Again(words.join(" "))
    }

    /// `kitap [options] <rest>` as one line.
    pub fn command(&self, rest: &str) -> String {
        format!("{} {rest}", self.0)
    }
}

/// `kitap` when found on PATH; otherwise the path it was started by,
/// relative to the current folder when under it (`target/release/kitap`
/// after `cargo run --release`).
fn program() -> String {
    let Some(arg0) = std::env::args_os().next() else {
        return "kitap".to_owned();
    };
    let path = Path::new(&arg0);
    if path.components().count() <= 1 {
        return path.display().to_string();
    }
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    quoted(&shown.display().to_string())
}

/// Single-quotes a word for the shell when it needs it.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

pub fn run(config: &Config, demo: bool, again: &Again) -> anyhow::Result<()> {
    let app = open(config)?;
    let admin_password = std::env::var("KITAP_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let report = app
        .seed(admin_password, demo)
        .context("seeding the database")?;
    print_seed_report(&report, again);
    let stale = app
        .records_to_reclassify()
        .context("counting records to reclassify")?;
    if stale > 0 {
        println!(
            "{stale} records were classified under other knowledge-area rules than {}; \
             reclassify them with `{}`.",
            app.area_rules_version(),
            again.command("reclassify")
        );
    }
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
    // Reader notices: a background thread, one run per interval (on
    // PostgreSQL one node at a time); stopped once the server has stopped.
    let notices = if config.notices.enabled {
        Some(app.start_notice_job().context("starting the notice job")?)
    } else {
        None
    };
    let served = kitap_api::run_blocking(app, &settings, listener).context("serving");
    if let Some(job) = notices {
        job.shutdown();
    }
    served
}

fn print_seed_report(report: &SeedReport, again: &Again) {
    if report.branches_added > 0 {
        println!(
            "Added {} libraries from data/branches.toml.",
            report.branches_added
        );
    }
    match &report.admin_created {
        Some((username, Some(password))) => println!(
            "Created the administrator account '{username}' with password: {password}\n\
             (shown once and never stored; change it with `{}`)",
            again.command(&format!("user passwd {username}"))
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
