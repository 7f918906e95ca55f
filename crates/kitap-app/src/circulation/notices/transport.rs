//! The channels notices go out through: email over SMTP (lettre) and SMS
//! through an HTTP gateway (ureq). Errors never carry the recipient.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;

use super::config::{SmsConfig, SmtpConfig};

/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Sends one message to one recipient (an email address or a phone number).
pub trait Transport: Send + Sync {
    fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), TransportError>;
}

pub struct SmtpTransport {
    mailer: lettre::SmtpTransport,
    from: Mailbox,
}

impl SmtpTransport {
    pub fn new(config: &SmtpConfig) -> Result<SmtpTransport, TransportError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| TransportError(format!("notices.smtp.from: {e}")))?;
        let mut builder = if config.starttls {
            lettre::SmtpTransport::starttls_relay(&config.host)
                .map_err(|e| TransportError(format!("notices.smtp: {e}")))?
        } else {
            lettre::SmtpTransport::builder_dangerous(&config.host)
        };
        builder = builder.port(config.port).timeout(Some(TIMEOUT));
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                config.username.clone(),
                config.password.clone(),
            ));
        }
        Ok(SmtpTransport {
            mailer: builder.build(),
            from,
        })
    }
}

impl Transport for SmtpTransport {
    fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), TransportError> {
        use lettre::Transport as _;
        let to: Mailbox = to
            .parse()
            .map_err(|_| TransportError("the reader's email address is not valid".to_owned()))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned())
            .map_err(|e| TransportError(format!("building the message: {e}")))?;
        self.mailer
            .send(&message)
            .map(|_| ())
            .map_err(|e| TransportError(format!("smtp: {e}")))
    }
}

pub struct HttpSmsTransport {
    config: SmsConfig,
    agent: ureq::Agent,
}

impl HttpSmsTransport {
    pub fn new(config: &SmsConfig) -> HttpSmsTransport {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        HttpSmsTransport {
            config: config.clone(),
            agent,
        }
    }

    fn body(&self, phone: &str, text: &str) -> String {
        let json = self.config.content_type.contains("json");
        let escape = |value: &str| {
            if json {
                let quoted = serde_json::Value::String(value.to_owned()).to_string();
                quoted[1..quoted.len() - 1].to_owned()
            } else {
                url_encode(value)
            }
        };
        fill(&self.config.body, &escape(phone), &escape(text))
    }
}

fn url_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn fill(template: &str, phone: &str, text: &str) -> String {
    template.replace("{phone}", phone).replace("{text}", text)
}

impl Transport for HttpSmsTransport {
    fn send(&self, to: &str, _subject: &str, text: &str) -> Result<(), TransportError> {
        let url = fill(&self.config.url, &url_encode(to), &url_encode(text));
        let auth = self
            .config
            .auth_header
            .split_once(':')
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()));
        let result = if self.config.method == "GET" {
            let mut request = self.agent.get(&url);
            if let Some((name, value)) = &auth {
                request = request.header(name.as_str(), value.as_str());
            }
            request.call()
        } else {
            let mut request = self
                .agent
                .post(&url)
                .header("Content-Type", self.config.content_type.as_str());
            if let Some((name, value)) = &auth {
                request = request.header(name.as_str(), value.as_str());
            }
            request.send(self.body(to, text))
        };
        match result {
            Ok(_) => Ok(()),
            Err(ureq::Error::StatusCode(status)) => {
                Err(TransportError(format!("sms gateway answered {status}")))
            }
            // ureq's errors name the host, never the message or the number.
            Err(err) => Err(TransportError(format!("sms gateway: {err}"))),
        }
    }
}
