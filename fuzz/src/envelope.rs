//! Checks for `tcdn_model::v2::Envelope::from_slice` on arbitrary bytes.
//!
//! Standalone (it names no other module of this crate), so the model crate's
//! `tests/fuzz_regressions.rs` includes this very file to replay the corpus.

use tcdn_model::v2::Envelope;

/// Parses `body`; an error must render, and an envelope must survive
/// serialising and parsing again unchanged.
pub fn check(body: &[u8]) {
    match Envelope::from_slice(body) {
        Ok(envelope) => {
            // The accessors derive codes from the message; none may panic.
            let _ = (envelope.module_code(), envelope.retryability());
            let _ = envelope.message_text();
            let wire = serde_json::to_vec(&envelope).expect("an envelope always serialises");
            let again = Envelope::from_slice(&wire).unwrap_or_else(|e| {
                panic!(
                    "serialised envelope does not parse: {e}\n  wire: {}",
                    String::from_utf8_lossy(&wire)
                )
            });
            assert_eq!(
                envelope,
                again,
                "envelope changed through serialise + parse; wire: {}",
                String::from_utf8_lossy(&wire)
            );
        }
        Err(error) => {
            let _ = error.to_string();
            let snippet = error.snippet();
            assert!(
                snippet.chars().count() <= tcdn_model::SNIPPET_MAX_CHARS + 1,
                "snippet longer than the limit: {snippet:?}"
            );
            assert!(
                !snippet.chars().any(char::is_control),
                "snippet keeps control characters: {snippet:?}"
            );
        }
    }
}
