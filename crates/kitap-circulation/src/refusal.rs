//! Why a policy said no, in a form the API, the desk and the reader can use.
//!
//! The snake_case code is stable (clients switch on it); `message()` is for
//! staff and logs, `message_ru()` and `message_kk()` are shown to readers.

use kitap_domain::name_enum;

name_enum!(
    /// Every reason a circulation policy refuses. Codes never change meaning.
    RefusalCode, "code", {
        ReaderNotActive => "reader_not_active",
        RegistrationExpired => "registration_expired",
        /// A manual or lost-copy block.
        ReaderBlocked => "reader_blocked",
        /// The reader is a debtor (an overdue loan or the automatic block).
        ReaderHasOverdue => "reader_has_overdue",
        LoanLimitReached => "loan_limit_reached",
        /// On loan, lost, withdrawn, in repair, missing or in transit.
        CopyNotAvailable => "copy_not_available",
        CopyReadingRoomOnly => "copy_reading_room_only",
        CopyOnHoldForOther => "copy_on_hold_for_other",
        RuleForbidsHomeLoan => "rule_forbids_home_loan",
        RenewalLimitReached => "renewal_limit_reached",
        TitleOnHold => "title_on_hold",
        LoanIsReadingRoom => "loan_is_reading_room",
        HoldsNotAllowed => "holds_not_allowed",
        AlreadyHolding => "already_holding",
        /// The calendar has no open day within a year: a configuration error.
        NoOpenDay => "no_open_day",
    }
);

impl RefusalCode {
    /// Whether a staff member with the override right may pass it. Refusals
    /// about the physical copy, an archived reader or a broken calendar are
    /// facts, not policy, so nobody can override them.
    pub fn overridable(self) -> bool {
        !matches!(
            self,
            RefusalCode::ReaderNotActive
                | RefusalCode::CopyNotAvailable
                | RefusalCode::LoanIsReadingRoom
                | RefusalCode::AlreadyHolding
                | RefusalCode::NoOpenDay
        )
    }

    /// English, for staff screens and logs.
    pub fn message(self) -> &'static str {
        match self {
            RefusalCode::ReaderNotActive => "the reader's record is archived",
            RefusalCode::RegistrationExpired => "the reader's annual re-registration has expired",
            RefusalCode::ReaderBlocked => "the reader is blocked",
            RefusalCode::ReaderHasOverdue => "the reader has overdue loans",
            RefusalCode::LoanLimitReached => "the reader has reached the loan limit",
            RefusalCode::CopyNotAvailable => "the copy is not available for loan",
            RefusalCode::CopyReadingRoomOnly => "the copy is for the reading room only",
            RefusalCode::CopyOnHoldForOther => "the copy is reserved for another reader",
            RefusalCode::RuleForbidsHomeLoan => {
                "the loan rule does not allow home loans of this material"
            }
            RefusalCode::RenewalLimitReached => {
                "the loan has been renewed the maximum number of times"
            }
            RefusalCode::TitleOnHold => "other readers are waiting for this title",
            RefusalCode::LoanIsReadingRoom => "a reading-room loan cannot be renewed",
            RefusalCode::HoldsNotAllowed => "the loan rule does not allow holds",
            RefusalCode::AlreadyHolding => "the reader already has a hold on this title",
            RefusalCode::NoOpenDay => "the library calendar has no open day within a year",
        }
    }

    /// Russian, for the reader (OPAC, SMS, self-service).
    pub fn message_ru(self) -> &'static str {
        match self {
            RefusalCode::ReaderNotActive => {
                "Ваш читательский формуляр в архиве. Обратитесь к библиотекарю."
            }
            RefusalCode::RegistrationExpired => {
                "Истёк срок ежегодной перерегистрации. Пройдите перерегистрацию."
            }
            RefusalCode::ReaderBlocked => "Обслуживание приостановлено. Обратитесь к библиотекарю.",
            RefusalCode::ReaderHasOverdue => "У вас есть книги с истёкшим сроком возврата.",
            RefusalCode::LoanLimitReached => "Достигнуто наибольшее число книг на руках.",
            RefusalCode::CopyNotAvailable => "Этот экземпляр сейчас недоступен.",
            RefusalCode::CopyReadingRoomOnly => "Этот экземпляр выдаётся только в читальный зал.",
            RefusalCode::CopyOnHoldForOther => "Этот экземпляр забронирован для другого читателя.",
            RefusalCode::RuleForbidsHomeLoan => "Это издание на дом не выдаётся.",
            RefusalCode::RenewalLimitReached => "Срок пользования больше продлить нельзя.",
            RefusalCode::TitleOnHold => "Эту книгу ждут другие читатели, продление невозможно.",
            RefusalCode::LoanIsReadingRoom => "Выдачу в читальный зал продлить нельзя.",
            RefusalCode::HoldsNotAllowed => "Это издание нельзя забронировать.",
            RefusalCode::AlreadyHolding => "Вы уже забронировали эту книгу.",
            RefusalCode::NoOpenDay => {
                "Не удалось рассчитать срок возврата. Обратитесь к библиотекарю."
            }
        }
    }

    /// Kazakh, for the reader (OPAC, SMS, self-service).
    pub fn message_kk(self) -> &'static str {
        match self {
            RefusalCode::ReaderNotActive => {
                "Оқырман формулярыңыз мұрағатта. Кітапханашыға хабарласыңыз."
            }
            RefusalCode::RegistrationExpired => {
                "Жыл сайынғы қайта тіркеу мерзімі өтті. Қайта тіркеуден өтіңіз."
            }
            RefusalCode::ReaderBlocked => "Қызмет көрсету тоқтатылды. Кітапханашыға хабарласыңыз.",
            RefusalCode::ReaderHasOverdue => "Сізде қайтару мерзімі өткен кітаптар бар.",
            RefusalCode::LoanLimitReached => "Қолыңыздағы кітаптар саны шегіне жетті.",
            RefusalCode::CopyNotAvailable => "Бұл дана қазір қолжетімсіз.",
            RefusalCode::CopyReadingRoomOnly => "Бұл дана тек оқу залында беріледі.",
            RefusalCode::CopyOnHoldForOther => "Бұл дана басқа оқырманға брондалған.",
            RefusalCode::RuleForbidsHomeLoan => "Бұл басылым үйге берілмейді.",
            RefusalCode::RenewalLimitReached => "Пайдалану мерзімін бұдан әрі ұзартуға болмайды.",
            RefusalCode::TitleOnHold => "Бұл кітапты басқа оқырмандар күтуде, ұзарту мүмкін емес.",
            RefusalCode::LoanIsReadingRoom => "Оқу залына берілген кітаптың мерзімі ұзартылмайды.",
            RefusalCode::HoldsNotAllowed => "Бұл басылымды брондауға болмайды.",
            RefusalCode::AlreadyHolding => "Сіз бұл кітапты брондап қойғансыз.",
            RefusalCode::NoOpenDay => {
                "Қайтару мерзімін есептеу мүмкін болмады. Кітапханашыға хабарласыңыз."
            }
        }
    }
}

/// A policy's "no": the code, plus a detail for staff ("3 overdue loans,
/// the oldest 41 days") that readers never see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct Refusal {
    pub code: RefusalCode,
    pub detail: String,
}

impl Refusal {
    pub fn new(code: RefusalCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

impl From<RefusalCode> for Refusal {
    fn from(code: RefusalCode) -> Self {
        Self::new(code, code.message())
    }
}

/// The refusal codes a staff member with the override right chose to pass
/// for this one action. Codes that are not overridable are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(Vec<RefusalCode>);

impl Overrides {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn of(codes: &[RefusalCode]) -> Self {
        Self(codes.to_vec())
    }

    /// Whether this refusal is passed: chosen and overridable.
    pub fn allows(&self, code: RefusalCode) -> bool {
        code.overridable() && self.0.contains(&code)
    }
}

/// Applies the overrides to refusals found in check order: the first one not
/// overridden is the answer, else the list of what was overridden.
pub(crate) fn apply_overrides(
    refusals: Vec<Refusal>,
    overrides: &Overrides,
) -> Result<Vec<RefusalCode>, Refusal> {
    let mut overridden = Vec::new();
    for refusal in refusals {
        if !overrides.allows(refusal.code) {
            return Err(refusal);
        }
        overridden.push(refusal.code);
    }
    Ok(overridden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_three_messages_and_a_stable_name() {
        for code in RefusalCode::ALL {
            assert!(!code.message().is_empty());
            assert!(code
                .message()
                .chars()
                .next()
                .is_some_and(char::is_lowercase));
            assert!(!code.message().ends_with('.'));
            assert!(code.message_ru().chars().any(|c| ('а'..='я').contains(&c)));
            assert!(!code.message_kk().is_empty());
            assert_eq!(code.as_str().parse::<RefusalCode>().unwrap(), *code);
        }
    }

    #[test]
    fn hard_refusals_cannot_be_overridden() {
        let all = Overrides::of(RefusalCode::ALL);
        assert!(!all.allows(RefusalCode::CopyNotAvailable));
        assert!(all.allows(RefusalCode::ReaderHasOverdue));
        assert!(!Overrides::none().allows(RefusalCode::ReaderHasOverdue));
    }

    #[test]
    fn the_first_refusal_not_overridden_wins() {
        let refusals = vec![
            Refusal::from(RefusalCode::ReaderHasOverdue),
            Refusal::from(RefusalCode::LoanLimitReached),
        ];
        let partial = Overrides::of(&[RefusalCode::ReaderHasOverdue]);
        let err = apply_overrides(refusals.clone(), &partial).unwrap_err();
        assert_eq!(err.code, RefusalCode::LoanLimitReached);
        let both = Overrides::of(&[RefusalCode::LoanLimitReached, RefusalCode::ReaderHasOverdue]);
        assert_eq!(
            apply_overrides(refusals, &both).unwrap(),
            [RefusalCode::ReaderHasOverdue, RefusalCode::LoanLimitReached]
        );
    }
}
