use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// A UTC instant as stored: microsecond precision on both backends, so a value
/// read back compares equal to the value written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Self::from_utc(Utc::now())
    }

    pub fn from_utc(at: DateTime<Utc>) -> Self {
        Self(at.trunc_subsecs(6))
    }

    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }

    pub fn naive(self) -> NaiveDateTime {
        self.0.naive_utc()
    }

    pub fn from_naive(at: NaiveDateTime) -> Self {
        Self(at.and_utc())
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    }
}

/// The RFC 3339 text `Serialize` writes, read back.
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| Timestamp::from_utc(at.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
