//! LC's lossless convention: `&#xXXXX;` for a character MARC-8 cannot hold.

pub(super) enum Ncr {
    /// A valid reference: the character and the index after the `;`.
    Char(char, usize),
    /// Well-formed but not a scalar value (surrogate or too large).
    Invalid(u32, usize),
    /// Not a hexadecimal character reference: `&` is just `&`.
    NotOne,
}

/// Parse `&#xHHHH;` (1 to 6 hex digits, `x` or `X`) at `i`.
pub(super) fn parse_ncr(bytes: &[u8], i: usize) -> Ncr {
    let Some(rest) = bytes.get(i..) else {
        return Ncr::NotOne;
    };
    let Some(tail) = rest
        .strip_prefix(b"&#x")
        .or_else(|| rest.strip_prefix(b"&#X"))
    else {
        return Ncr::NotOne;
    };
    let digits = tail.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 6 || tail.get(digits) != Some(&b';') {
        return Ncr::NotOne;
    }
    let mut cp: u32 = 0;
    for &d in tail.get(..digits).unwrap_or_default() {
        let v = char::from(d).to_digit(16).unwrap_or(0);
        cp = (cp << 4) | v;
    }
    // "&#x" + digits + ";"
    let next = i.saturating_add(digits).saturating_add(4);
    match char::from_u32(cp) {
        Some(c) => Ncr::Char(c, next),
        None => Ncr::Invalid(cp, next),
    }
}
