//! Latin spellings of Kazakh Cyrillic as readers type them, written here
//! independently of kitap-text so the benchmark does not test the search
//! with its own folding tables.

#[derive(Clone, Copy)]
pub enum Latin {
    /// ж zh, қ q, ғ gh, ң ng, й y: "Abai zholy", "Qaraghandy".
    InformalZh,
    /// ж j, қ k, ғ g, ң n, й i: "Abai joly".
    InformalJ,
    /// The 2021 official alphabet: ä ğ q ñ ö ū ü ı ş.
    Official2021,
}

/// `text` in Latin letters, lower case; characters other than Cyrillic
/// letters (spaces, digits, Latin) are kept as they are.
pub fn latin(text: &str, style: Latin) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        match letter(lower, style) {
            Some(t) => out.push_str(t),
            None => out.push(lower),
        }
    }
    out
}

fn letter(lower: char, style: Latin) -> Option<&'static str> {
    let t = match (lower, style) {
        ('а', _) => "a",
        ('ә', Latin::Official2021) => "ä",
        ('ә', _) => "a",
        ('б', _) => "b",
        ('в', _) => "v",
        ('г', _) => "g",
        ('ғ', Latin::InformalZh) => "gh",
        ('ғ', Latin::InformalJ) => "g",
        ('ғ', Latin::Official2021) => "ğ",
        ('д', _) => "d",
        ('е', _) | ('ё', _) | ('э', _) => "e",
        ('ж', Latin::InformalZh) => "zh",
        ('ж', _) => "j",
        ('з', _) => "z",
        ('и', _) => "i",
        ('й', Latin::InformalZh) => "y",
        ('й', _) => "i",
        ('к', _) => "k",
        ('қ', Latin::InformalJ) => "k",
        ('қ', _) => "q",
        ('л', _) => "l",
        ('м', _) => "m",
        ('н', _) => "n",
        ('ң', Latin::InformalZh) => "ng",
        ('ң', Latin::InformalJ) => "n",
        ('ң', Latin::Official2021) => "ñ",
        ('о', _) => "o",
        ('ө', Latin::Official2021) => "ö",
        ('ө', _) => "o",
        ('п', _) => "p",
        ('р', _) => "r",
        ('с', _) => "s",
        ('т', _) => "t",
        ('у', _) => "u",
        ('ұ', Latin::Official2021) => "ū",
        ('ү', Latin::Official2021) => "ü",
        ('ұ', _) | ('ү', _) => "u",
        ('ф', _) => "f",
        ('х', Latin::Official2021) | ('һ', _) => "h",
        ('х', _) => "kh",
        ('ц', _) => "ts",
        ('ч', _) => "ch",
        ('ш', Latin::Official2021) => "ş",
        ('ш', _) => "sh",
        ('щ', Latin::Official2021) => "şş",
        ('щ', _) => "sh",
        ('ъ', _) | ('ь', _) => "",
        ('ы', _) => "y",
        ('і', Latin::Official2021) => "ı",
        ('і', _) => "i",
        ('ю', Latin::Official2021) => "iu",
        ('ю', _) => "yu",
        ('я', Latin::Official2021) => "ia",
        ('я', _) => "ya",
        _ => return None,
    };
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_spellings() {
        assert_eq!(latin("Абай жолы", Latin::InformalZh), "abay zholy");
        assert_eq!(latin("Абай жолы", Latin::InformalJ), "abai joly");
        assert_eq!(latin("Қара сөздер", Latin::Official2021), "qara sözder");
        assert_eq!(latin("теңіз ғылымы", Latin::InformalZh), "tengiz ghylymy");
    }
}
