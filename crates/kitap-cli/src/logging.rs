use kitap_app::config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

/// Structured logs to stderr: text for people, JSON lines for collectors.
pub fn init(config: &LogConfig) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&config.level)
        .map_err(|err| anyhow::anyhow!("log.level {:?}: {err}", config.level))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match config.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.map_err(|err| anyhow::anyhow!("installing the logger: {err}"))
}
