//! The words of a notice: Kazakh, then Russian, in one message. SMS texts
//! are short.

use chrono::NaiveDate;
use kitap_db::notices::NoticeContext;
use kitap_domain::NoticeKind;

pub struct Rendered {
    pub subject: String,
    pub text: String,
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|| "—".to_owned())
}

fn short(title: &str, max: usize) -> String {
    if title.chars().count() <= max {
        return title.to_owned();
    }
    let cut: String = title.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// The email subject and text.
pub fn email(c: &NoticeContext, today: NaiveDate) -> Rendered {
    let title = c.title.as_deref().unwrap_or("—");
    let due = date(c.due_on);
    let kk = c.library_kk.as_deref().unwrap_or("кітапхана");
    let ru = c.library_ru.as_deref().unwrap_or("библиотека");
    let late = c.due_on.map(|d| (today - d).num_days().max(0)).unwrap_or(0);
    let (subject, kazakh, russian) = match c.notice.kind {
        NoticeKind::Courtesy => (
            "Кітапты қайтару мерзімі жақындады / Скоро срок возврата книги",
            format!("«{title}» кітабын {due} дейін қайтаруыңызды сұраймыз. Кітапхана: {kk}."),
            format!("Просим вернуть книгу «{title}» до {due}. Библиотека: {ru}."),
        ),
        NoticeKind::Overdue => (
            "Кітапты қайтару мерзімі өтті / Срок возврата книги истёк",
            format!(
                "«{title}» кітабын қайтару мерзімі {due} өтті ({late} күн). Кітапты қайтаруыңызды сұраймыз. Кітапхана: {kk}."
            ),
            format!(
                "Срок возврата книги «{title}» истёк {due} (дней просрочки: {late}). Пожалуйста, верните её. Библиотека: {ru}."
            ),
        ),
        NoticeKind::HoldReady => (
            "Тапсырыс берген кітабыңыз дайын / Заказанная книга ждёт вас",
            format!("«{title}» кітабы сізді {due} дейін күтеді. Кітапхана: {kk}."),
            format!("Книга «{title}» ждёт вас до {due}. Библиотека: {ru}."),
        ),
    };
    let name = &c.first_name;
    Rendered {
        subject: subject.to_owned(),
        text: format!(
            "Құрметті {name}!\n{kazakh}\n\nУважаемый(ая) {name}!\n{russian}\n\nЧитательский билет / Оқырман билеті: {}\n",
            c.card_number
        ),
    }
}

/// The SMS text: both languages in one short message.
pub fn sms(c: &NoticeContext) -> String {
    let title = short(c.title.as_deref().unwrap_or("—"), 30);
    let due = date(c.due_on);
    let library = c.library_code.as_deref().unwrap_or("");
    match c.notice.kind {
        NoticeKind::Courtesy => {
            format!("«{title}» {due} дейін қайтарыңыз / верните до {due}. {library}")
        }
        NoticeKind::Overdue => {
            format!("«{title}» мерзімі өтті / просрочена с {due}. Қайтарыңыз / верните. {library}")
        }
        NoticeKind::HoldReady => {
            format!("«{title}» дайын / ждёт вас до {due}. {library}")
        }
    }
}
