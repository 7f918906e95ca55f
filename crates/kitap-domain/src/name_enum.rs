//! Closed sets of names stored as TEXT with a CHECK constraint and sent as
//! snake_case JSON strings: one macro keeps `ALL`, `as_str` and `FromStr` in step.

/// `name_enum!(Doc Type, "field", { Variant => "name", ... })`
#[macro_export]
macro_rules! name_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        /// For rows read straight into the enum (`#[diesel(deserialize_as = String)]`).
        impl TryFrom<String> for $name {
            type Error = $crate::ValueError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        $crate::ValueError::new($field, format!("must be one of {}", names.join(", ")))
                    })
            }
        }
    };
}
