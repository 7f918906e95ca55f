//! `[notices]` configuration: when and how reader notices go out.

use serde::Deserialize;

use crate::config::Config;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NoticesConfig {
    /// Whether `kitap serve` runs the notice job.
    pub enabled: bool,
    /// Seconds between two runs of the job.
    pub interval_seconds: u64,
    /// Days before the due date the courtesy reminder goes; 0: none.
    pub courtesy_days_before: u16,
    /// Days overdue at which an overdue notice goes, one per level.
    pub overdue_levels: Vec<u16>,
    /// Channels in the order tried: email, sms, phone, visit.
    pub channels: Vec<String>,
    /// Absent: no email.
    pub smtp: Option<SmtpConfig>,
    /// Absent: no SMS.
    pub sms: Option<SmsConfig>,
}

#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    pub from: String,
    /// STARTTLS required (true) or plain SMTP (false: a relay on the same host).
    pub starttls: bool,
}

#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// The gateway URL; `{phone}` and `{text}` in it are replaced (URL-encoded).
    pub url: String,
    /// GET or POST.
    pub method: String,
    /// The POST body, `{phone}` and `{text}` replaced (JSON-escaped when the
    /// content type is JSON, else URL-encoded).
    pub body: String,
    pub content_type: String,
    /// A whole header line, e.g. `Authorization: Bearer <token>`; empty: none.
    pub auth_header: String,
}

fn hidden(secret: &str) -> &'static str {
    if secret.is_empty() {
        ""
    } else {
        "(hidden)"
    }
}

// `kitap config show` prints the configuration: secrets stay hidden.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &hidden(&self.password))
            .field("from", &self.from)
            .field("starttls", &self.starttls)
            .finish()
    }
}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("body", &self.body)
            .field("content_type", &self.content_type)
            .field("auth_header", &hidden(&self.auth_header))
            .finish()
    }
}

impl Default for NoticesConfig {
    fn default() -> Self {
        NoticesConfig {
            enabled: true,
            interval_seconds: 300,
            courtesy_days_before: 2,
            overdue_levels: vec![3, 10, 30],
            channels: vec!["email".to_owned(), "sms".to_owned(), "phone".to_owned()],
            smtp: None,
            sms: None,
        }
    }
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: 587,
            username: String::new(),
            password: String::new(),
            from: String::new(),
            starttls: true,
        }
    }
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig {
            url: String::new(),
            method: "POST".to_owned(),
            body: r#"{"phone": "{phone}", "text": "{text}"}"#.to_owned(),
            content_type: "application/json".to_owned(),
            auth_header: String::new(),
        }
    }
}

type Setter = fn(&mut Config, &str) -> Result<(), String>;

fn number<T: std::str::FromStr>(slot: &mut T, value: &str) -> Result<(), String> {
    *slot = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a valid number"))?;
    Ok(())
}

fn boolean(slot: &mut bool, value: &str) -> Result<(), String> {
    *slot = match value.trim() {
        "true" | "1" | "yes" => true,
        "false" | "0" | "no" => false,
        _ => return Err(format!("{value:?} is not true or false")),
    };
    Ok(())
}

fn words(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn smtp(c: &mut Config) -> &mut SmtpConfig {
    c.notices.smtp.get_or_insert_with(SmtpConfig::default)
}

fn sms(c: &mut Config) -> &mut SmsConfig {
    c.notices.sms.get_or_insert_with(SmsConfig::default)
}

/// The `KITAP_NOTICES_*`, `KITAP_SMTP_*` and `KITAP_SMS_*` overrides. Any
/// SMTP (SMS) variable turns the channel on, as the table in the file would.
pub(crate) const NOTICE_ENV_OVERRIDES: [(&str, Setter); 16] = [
    ("KITAP_NOTICES_ENABLED", |c, v| {
        boolean(&mut c.notices.enabled, v)
    }),
    ("KITAP_NOTICES_INTERVAL_SECONDS", |c, v| {
        number(&mut c.notices.interval_seconds, v)
    }),
    ("KITAP_NOTICES_COURTESY_DAYS_BEFORE", |c, v| {
        number(&mut c.notices.courtesy_days_before, v)
    }),
    ("KITAP_NOTICES_OVERDUE_LEVELS", |c, v| {
        c.notices.overdue_levels = words(v)
            .iter()
            .map(|w| {
                w.parse()
                    .map_err(|_| format!("{w:?} is not a number of days"))
            })
            .collect::<Result<_, _>>()?;
        Ok(())
    }),
    ("KITAP_NOTICES_CHANNELS", |c, v| {
        c.notices.channels = words(v);
        Ok(())
    }),
    ("KITAP_SMTP_HOST", |c, v| {
        smtp(c).host = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMTP_PORT", |c, v| number(&mut smtp(c).port, v)),
    ("KITAP_SMTP_USERNAME", |c, v| {
        smtp(c).username = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMTP_PASSWORD", |c, v| {
        smtp(c).password = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMTP_FROM", |c, v| {
        smtp(c).from = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMTP_STARTTLS", |c, v| {
        boolean(&mut smtp(c).starttls, v)
    }),
    ("KITAP_SMS_URL", |c, v| {
        sms(c).url = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMS_METHOD", |c, v| {
        sms(c).method = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMS_BODY", |c, v| {
        sms(c).body = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMS_CONTENT_TYPE", |c, v| {
        sms(c).content_type = v.to_owned();
        Ok(())
    }),
    ("KITAP_SMS_AUTH_HEADER", |c, v| {
        sms(c).auth_header = v.to_owned();
        Ok(())
    }),
];

impl NoticesConfig {
    /// The configured channel names as channels.
    pub fn preference(&self) -> Result<Vec<kitap_domain::NoticeChannel>, String> {
        self.channels
            .iter()
            .map(|name| {
                name.parse()
                    .map_err(|_| format!("{name:?} is not one of email, sms, phone, visit"))
            })
            .collect()
    }

    /// Checks what serde cannot: `(key, message)` for the first problem.
    pub(crate) fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.interval_seconds == 0 {
            return Err(("notices.interval_seconds", "must be at least 1".to_owned()));
        }
        self.preference().map_err(|m| ("notices.channels", m))?;
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() {
                return Err(("notices.smtp.host", "must be set".to_owned()));
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err((
                    "notices.smtp.from",
                    "must be an address, e.g. \"Kitap <kitap@library.kz>\"".to_owned(),
                ));
            }
        }
        if let Some(sms) = &self.sms {
            if !(sms.url.starts_with("http://") || sms.url.starts_with("https://")) {
                return Err(("notices.sms.url", "must be an http(s) URL".to_owned()));
            }
            if !matches!(sms.method.as_str(), "GET" | "POST") {
                return Err(("notices.sms.method", "must be GET or POST".to_owned()));
            }
            if !sms.auth_header.is_empty() && !sms.auth_header.contains(':') {
                return Err((
                    "notices.sms.auth_header",
                    "must read Name: value".to_owned(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_override_is_documented() {
        for (name, _) in NOTICE_ENV_OVERRIDES {
            assert!(
                crate::config::DEFAULTS_TOML.contains(name),
                "{name} is not in defaults.toml"
            );
        }
    }

    #[test]
    fn smtp_and_sms_come_from_the_environment() {
        let env = [
            ("KITAP_SMTP_HOST", "mail.example.kz"),
            ("KITAP_SMTP_FROM", "Kitap <kitap@example.kz>"),
            ("KITAP_SMS_URL", "https://sms.example.kz/send"),
            ("KITAP_NOTICES_OVERDUE_LEVELS", "5, 15"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let config = Config::load(None, env).unwrap();
        assert_eq!(config.notices.smtp.unwrap().port, 587);
        assert_eq!(config.notices.sms.unwrap().method, "POST");
        assert_eq!(config.notices.overdue_levels, [5, 15]);
        let bad =
            [("KITAP_NOTICES_CHANNELS", "email,fax")].map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert!(Config::load(None, bad).is_err());
    }
}
