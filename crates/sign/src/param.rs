//! How the signer reads a request parameter.

/// A request parameter as the signer sees it: a name and its raw value.
///
/// Implemented for pairs of anything that borrows as `str`, so
/// `&[(&str, &str)]`, `&[(String, String)]` and `Vec<(Cow<str>, String)>` all
/// work, and for references to parameters. Implement it for your own type to
/// sign a request without copying it into pairs first.
///
/// The value is the **raw** text (`https://a.example/x y`), never the
/// form-encoded one: the signature covers raw values, and the wire carries
/// them encoded (see [`crate::encode`]).
pub trait Param {
    /// The name as sent on the wire (`urls.0`, `Placement_Zone`).
    fn name(&self) -> &str;
    /// The raw value.
    fn value(&self) -> &str;
}

impl<N: AsRef<str>, V: AsRef<str>> Param for (N, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }

    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

impl<P: Param + ?Sized> Param for &P {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn value(&self) -> &str {
        (**self).value()
    }
}
