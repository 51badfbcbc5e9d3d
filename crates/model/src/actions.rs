//! [`actions!`]: the action enum of an API 3.0-style product, its names
//! written once.

/// Defines an action enum whose variants are named exactly as the API
/// spells them, with `ALL`, `as_str`, `from_name`, `Display` and `FromStr`,
/// whose error (`$error`) is made by `$refuse` from the unknown name, as
/// the server refuses it.
macro_rules! actions {
    (
        refuse: $refuse:path => $error:ty;
        $(#[$meta:meta])* pub enum $name:ident { $($variant:ident,)+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                #[doc = concat!("`", stringify!($variant), "`.")]
                $variant,
            )+
        }

        impl $name {
            /// Every action.
            pub const ALL: [Self; [$(stringify!($variant)),+].len()] = [$(Self::$variant),+];

            /// The action's name (`Action`, `X-TC-Action`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant),)+
                }
            }

            /// Looks a name up, exactly as the API spells it.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|a| a.as_str() == name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_name(s).ok_or_else(|| $refuse(s))
            }
        }
    };
}

pub(crate) use actions;
