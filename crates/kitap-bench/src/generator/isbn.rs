//! The ISBNs of generated records, in the three forms readers type.

/// Record n's ISBN-13: 978-601 (Kazakhstan), unique below a million records.
pub fn isbn13(n: u64) -> String {
    let body = format!("978601{:06}", n % 1_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// 978-601-NNNN-NN-C, as printed on a book.
pub fn isbn_hyphenated(n: u64) -> String {
    let d = isbn13(n);
    format!(
        "{}-{}-{}-{}-{}",
        &d[..3],
        &d[3..6],
        &d[6..10],
        &d[10..12],
        &d[12..]
    )
}

/// The ISBN-10 of record n's 978 ISBN-13.
pub fn isbn10(n: u64) -> String {
    let d = isbn13(n);
    let body = &d[3..12];
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (10 - i as u32))
        .sum();
    match (11 - sum % 11) % 11 {
        10 => format!("{body}X"),
        check => format!("{body}{check}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_are_the_standard_ones() {
        // 978-601-000000-? : weights 1,3 over 978601000000 = 9+21+8+18+0+3 = 59.
        assert_eq!(isbn13(0), "9786010000001");
        assert_eq!(isbn_hyphenated(0), "978-601-0000-00-1");
        // 601000000: 6*10 + 1*8 = 68, 68 mod 11 = 2, check 11 - 2 = 9.
        assert_eq!(isbn10(0), "6010000009");
        // 601000004: 68 + 4*2 = 76, 76 mod 11 = 10, check 1.
        assert_eq!(isbn10(4), "6010000041");
        // 601000005: 68 + 10 = 78, 78 mod 11 = 1, check 10 = X.
        assert_eq!(isbn10(5), "601000005X");
        assert_eq!(isbn13(1_000_042), isbn13(42));
    }
}
