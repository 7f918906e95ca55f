//! A circulation desk speaking Kitap's HTTP API: one keep-alive connection,
//! a staff token, the acting library in `X-Kitap-Library`.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};
use ureq::Agent;

pub struct Desk {
    agent: Agent,
    base: String,
    token: String,
    library: String,
}

/// One answered request: status, body, time taken in microseconds.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub micros: u32,
}

impl Answer {
    /// The body's `loan.id`, for a renewal after a checkout.
    pub fn loan_id(&self) -> Option<String> {
        self.body["loan"]["id"].as_str().map(str::to_owned)
    }

    pub fn error(&self) -> String {
        format!("HTTP {}: {}", self.status, self.body)
    }
}

fn agent() -> Agent {
    Agent::config_builder()
        // Refusals are answers to count, not transport failures.
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .max_idle_connections_per_host(1)
        .build()
        .into()
}

impl Desk {
    /// Logs in as `username` and acts for `library`.
    pub fn login(
        addr: &str,
        username: &str,
        password: &str,
        library: &str,
    ) -> anyhow::Result<Desk> {
        let mut desk = Desk {
            agent: agent(),
            base: format!("http://{addr}"),
            token: String::new(),
            library: library.to_owned(),
        };
        let a = desk.post(
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        )?;
        desk.token = a.body["token"]
            .as_str()
            .with_context(|| format!("login: {}", a.error()))?
            .to_owned();
        Ok(desk)
    }

    /// The same session acting for another library.
    pub fn at(&self, library: &str) -> Desk {
        Desk {
            agent: agent(),
            base: self.base.clone(),
            token: self.token.clone(),
            library: library.to_owned(),
        }
    }

    pub fn post(&mut self, path: &str, body: &Value) -> anyhow::Result<Answer> {
        let bytes = serde_json::to_vec(body)?;
        match self.exchange(path, &bytes) {
            // A kept-alive connection the server closed: once more on a new one.
            Err(err)
                if err
                    .downcast_ref::<ureq::Error>()
                    .is_some_and(|e| matches!(e, ureq::Error::Io(_))) =>
            {
                self.exchange(path, &bytes)
            }
            other => other,
        }
    }

    fn exchange(&mut self, path: &str, body: &[u8]) -> anyhow::Result<Answer> {
        let start = Instant::now();
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("X-Kitap-Library", &self.library);
        if !self.token.is_empty() {
            request = request.header("Authorization", &format!("Bearer {}", self.token));
        }
        let mut response = request.send(body)?;
        let status = response.status().as_u16();
        let bytes = response.body_mut().read_to_vec()?;
        let micros = u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX);
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            body,
            micros,
        })
    }

    /// Checkout; the loan id on success.
    pub fn checkout(&mut self, card: &str, barcode: &str) -> anyhow::Result<Answer> {
        self.post(
            "/api/v1/loans",
            &json!({"reader": card, "item_barcode": barcode}),
        )
    }

    pub fn renew(&mut self, loan: &str) -> anyhow::Result<Answer> {
        self.post(&format!("/api/v1/loans/{loan}/renew"), &json!({}))
    }

    pub fn return_copy(&mut self, barcode: &str) -> anyhow::Result<Answer> {
        self.post("/api/v1/returns", &json!({"item_barcode": barcode}))
    }

    /// A loan rule (admin); one left by an earlier run on a kept database
    /// is as good.
    pub fn add_rule(&mut self, rule: &Value) -> anyhow::Result<()> {
        let a = self.post("/api/v1/loan-rules", rule)?;
        if a.status != 201 && a.body["error"]["code"] != "loan_rule_exists" {
            bail!("loan rule: {}", a.error());
        }
        Ok(())
    }
}
