//! Copies and the documents that move them in and out of the fund.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{name_enum, ValueError};

name_enum!(
    /// Where a copy is in its life. Only `available` copies can be lent.
    CopyStatus, "status", {
        Available => "available",
        OnLoan => "on_loan",
        InTransit => "in_transit",
        ReadingRoomOnly => "reading_room_only",
        Lost => "lost",
        Withdrawn => "withdrawn",
        InRepair => "in_repair",
        Missing => "missing",
    }
);

/// Why a copy cannot be written off now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOffBlock {
    /// The reader has it: it is returned (or marked lost) first.
    OnLoan,
    /// It is between libraries: it is written off where it arrives.
    InTransit,
    /// It left the fund already.
    AlreadyWithdrawn,
}

impl CopyStatus {
    /// The write-off rule, in one place: a copy leaves the fund only from a
    /// library's own stock (on the shelf, in repair, missing, lost).
    pub fn write_off_block(self) -> Option<WriteOffBlock> {
        match self {
            CopyStatus::OnLoan => Some(WriteOffBlock::OnLoan),
            CopyStatus::InTransit => Some(WriteOffBlock::InTransit),
            CopyStatus::Withdrawn => Some(WriteOffBlock::AlreadyWithdrawn),
            CopyStatus::Available
            | CopyStatus::ReadingRoomOnly
            | CopyStatus::Lost
            | CopyStatus::InRepair
            | CopyStatus::Missing => None,
        }
    }

    /// Whether staff may set this status by editing a copy: `on_loan` is
    /// set by loans, `in_transit` by the exchange's dispatch scans and
    /// `withdrawn` by write-off acts, never by hand.
    pub fn set_by_hand(self) -> bool {
        !matches!(
            self,
            CopyStatus::OnLoan | CopyStatus::InTransit | CopyStatus::Withdrawn
        )
    }
}

name_enum!(
    /// Where copies came from (the accession register's "source" column).
    AcquisitionSource, "source", {
        Budget => "budget",
        StateOrder => "state_order",
        Gift => "gift",
        Replacement => "replacement",
        Exchange => "exchange",
        Other => "other",
    }
);

name_enum!(
    /// Why copies left the fund (the write-off act's reason).
    WriteOffReason, "reason", {
        Worn => "worn",
        Obsolete => "obsolete",
        LostByReader => "lost_by_reader",
        StocktakeShortage => "stocktake_shortage",
        Transferred => "transferred",
        Disaster => "disaster",
        Other => "other",
    }
);

name_enum!(
    /// A record with copies is never deleted: it is withdrawn instead.
    RecordStatus, "status", {
        Active => "active",
        Withdrawn => "withdrawn",
    }
);

/// Trimmed, 1..=40 characters, no control characters. Unique system-wide.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InventoryNumber(String);

impl InventoryNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for InventoryNumber {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        short_code("inventory_number", raw, 40).map(Self)
    }
}

crate::string_value!(InventoryNumber);

/// A copy's barcode as scanned: 1..=40 printable ASCII characters. Generated
/// barcodes are EAN-13 ([`Barcode::ean13`]); imported ones are kept as they are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Barcode(String);

impl Barcode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The EAN-13 for a 12-digit body (prefix + serial), check digit added.
    pub fn ean13(prefix: &str, serial: u64) -> Result<Self, ValueError> {
        let width = 12usize.saturating_sub(prefix.len());
        let body = format!("{prefix}{serial:0width$}");
        if body.len() != 12 || !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::new(
                "barcode",
                format!("prefix {prefix:?} and serial {serial} do not make 12 digits"),
            ));
        }
        let check = ean13_check_digit(&body);
        Ok(Self(format!("{body}{check}")))
    }

    /// Whether this is a 13-digit code with a correct EAN check digit.
    pub fn is_valid_ean13(&self) -> bool {
        let b = self.0.as_bytes();
        b.len() == 13
            && b.iter().all(u8::is_ascii_digit)
            && ean13_check_digit(&self.0[..12]) == char::from(b[12])
    }
}

/// EAN-13 and ISBN-13 share their check digit; `body` is 12 ASCII digits.
fn ean13_check_digit(body: &str) -> char {
    crate::isbn::isbn13_check(body).unwrap_or('0')
}

impl FromStr for Barcode {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let value = short_code("barcode", raw, 40)?;
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValueError::new(
                "barcode",
                "must be printable ASCII without spaces (what a scanner sends)",
            ));
        }
        Ok(Self(value))
    }
}

crate::string_value!(Barcode);

pub(crate) fn short_code(field: &'static str, raw: &str, max: usize) -> Result<String, ValueError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ValueError::new(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(ValueError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ValueError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// An amount of money in tiyn (1/100 tenge), never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn minor(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl TryFrom<i64> for Money {
    type Error = ValueError;

    fn try_from(minor: i64) -> Result<Self, Self::Error> {
        if minor < 0 {
            return Err(ValueError::new("price", "must not be negative"));
        }
        Ok(Money(minor))
    }
}

impl From<Money> for i64 {
    fn from(m: Money) -> i64 {
        m.0
    }
}

impl std::fmt::Display for Money {
    /// "1 250.00" style is for printed acts; here the plain "1250.00" that
    /// spreadsheets read as a number.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_and_print() {
        for s in CopyStatus::ALL {
            assert_eq!(s.as_str().parse::<CopyStatus>().unwrap(), *s);
        }
        let err = "borrowed".parse::<CopyStatus>().unwrap_err();
        assert_eq!(err.field, "status");
        assert!(err.message.contains("on_loan"), "{err}");
        assert_eq!(
            serde_json::to_string(&WriteOffReason::LostByReader).unwrap(),
            "\"lost_by_reader\""
        );
    }

    #[test]
    fn ean13_check_digits_match_real_codes() {
        // 4870000000000-range: Kazakhstan's GS1 prefix is 487.
        let b = Barcode::ean13("487", 12345).unwrap();
        assert_eq!(b.as_str().len(), 13);
        assert!(b.is_valid_ean13());
        let known: Barcode = "4006381333931".parse().unwrap();
        assert!(known.is_valid_ean13());
        let wrong: Barcode = "4006381333932".parse().unwrap();
        assert!(!wrong.is_valid_ean13());
        assert!(Barcode::ean13("4870000000000", 1).is_err());
    }

    #[test]
    fn codes_are_trimmed_and_bounded() {
        assert_eq!(
            " 12-345 ".parse::<InventoryNumber>().unwrap().as_str(),
            "12-345"
        );
        assert!("".parse::<InventoryNumber>().is_err());
        assert!("a\u{7}".parse::<InventoryNumber>().is_err());
        assert!("x".repeat(41).parse::<InventoryNumber>().is_err());
        assert!("12 34".parse::<Barcode>().is_err());
    }

    #[test]
    fn money_is_never_negative() {
        assert!(Money::try_from(-1).is_err());
        assert_eq!(Money::try_from(125050).unwrap().to_string(), "1250.50");
        assert_eq!(Money::try_from(7).unwrap().to_string(), "0.07");
    }
}
