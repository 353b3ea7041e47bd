//! Partial updates: in a PATCH body an absent field stays as it is and `null` clears it, so
//! optional fields are read as `Option<Option<T>>`.

use serde::{Deserialize, Deserializer};

/// `Some(None)` for `null`, `Some(Some(v))` for a value; with `#[serde(default)]`, `None`
/// when the field is absent.
pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct P {
        #[serde(default, deserialize_with = "double_option")]
        owner: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let p: P = serde_json::from_str("{}").unwrap();
        assert_eq!(p.owner, None);
        let p: P = serde_json::from_str(r#"{"owner":null}"#).unwrap();
        assert_eq!(p.owner, Some(None));
        let p: P = serde_json::from_str(r#"{"owner":"SECAS"}"#).unwrap();
        assert_eq!(p.owner, Some(Some("SECAS".into())));
    }
}
