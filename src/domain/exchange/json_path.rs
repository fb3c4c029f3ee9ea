//! Reading untrusted JSON with messages that name the place of a problem.
//!
//! An imported file is parsed into a `serde_json::Value` first, then read
//! field by field through [`At`], which carries the JSON path of the value
//! (`$.articles[0].annotations[3].target.position.start`). Every refusal is
//! a [`Bad`] naming that path and what was expected and found, so a reader
//! can open the file and fix it.

use serde_json::Value;
use std::fmt;

/// What is wrong with an imported file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bad {
    /// The JSON path of the value, when the problem is in one.
    pub path: Option<String>,
    /// What is wrong, as a sentence.
    pub message: String,
}

impl Bad {
    /// A problem with the file as a whole.
    pub fn file(message: impl Into<String>) -> Self {
        Self {
            path: None,
            message: message.into(),
        }
    }

    /// A problem at `path`.
    pub fn at(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: Some(path.to_owned()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Bad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// How a JSON value is described in a message.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value and its JSON path.
#[derive(Clone)]
pub struct At<'a> {
    /// The value.
    pub value: &'a Value,
    /// Its path.
    pub path: String,
}

/// A value found inside another (the same type, for readability).
pub type Child<'a> = At<'a>;

impl<'a> At<'a> {
    /// The same value (reads well after a field access: `x.at().str()`).
    pub fn at(&self) -> At<'a> {
        self.clone()
    }

    /// The root value, path `$`.
    pub fn root(value: &'a Value) -> Self {
        Self {
            value,
            path: "$".to_owned(),
        }
    }

    /// Its path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A refusal at this value.
    pub fn bad(&self, message: impl Into<String>) -> Bad {
        Bad::at(&self.path, message)
    }

    /// A refusal saying what was expected here and what was found.
    pub fn expected(&self, what: &str) -> Bad {
        self.bad(format!("expected {what}, found {}", kind_of(self.value)))
    }

    /// Whether this object has the field (null counts as absent).
    pub fn has(&self, name: &str) -> bool {
        self.value.get(name).is_some_and(|v| !v.is_null())
    }

    /// A field that must be there.
    pub fn field(&self, name: &str) -> Result<Child<'a>, Bad> {
        if !self.value.is_object() {
            return Err(self.expected("an object"));
        }
        match self.value.get(name) {
            Some(v) => Ok(Child {
                value: v,
                path: format!("{}.{name}", self.path),
            }),
            None => Err(self.bad(format!("the field \"{name}\" is missing"))),
        }
    }

    /// A field that may be absent or null.
    pub fn opt(&self, name: &str) -> Option<Child<'a>> {
        match self.value.get(name) {
            Some(Value::Null) | None => None,
            Some(v) => Some(Child {
                value: v,
                path: format!("{}.{name}", self.path),
            }),
        }
    }

    /// The elements of an array.
    pub fn items(&self) -> Result<Vec<Child<'a>>, Bad> {
        let arr = self
            .value
            .as_array()
            .ok_or_else(|| self.expected("an array"))?;
        Ok(arr
            .iter()
            .enumerate()
            .map(|(i, v)| Child {
                value: v,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    /// A string.
    pub fn str(&self) -> Result<&'a str, Bad> {
        self.value.as_str().ok_or_else(|| self.expected("a string"))
    }

    /// A non-empty string (not only white space).
    pub fn text(&self) -> Result<&'a str, Bad> {
        let s = self.str()?;
        if s.trim().is_empty() {
            return Err(self.bad("must not be empty"));
        }
        Ok(s)
    }

    /// A true/false value.
    pub fn bool(&self) -> Result<bool, Bad> {
        self.value
            .as_bool()
            .ok_or_else(|| self.expected("true or false"))
    }

    /// A whole number from 0 to `u32::MAX`.
    pub fn u32(&self) -> Result<u32, Bad> {
        match self.value {
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    u32::try_from(u).map_err(|_| self.bad(format!("{u} is too large")))
                } else if n.as_i64().is_some() {
                    Err(self.bad(format!("must not be negative, found {n}")))
                } else {
                    Err(self.bad(format!("expected a whole number, found {n}")))
                }
            }
            _ => Err(self.expected("a whole number")),
        }
    }

    /// An RFC 3339 time.
    pub fn time(&self) -> Result<chrono::DateTime<chrono::Utc>, Bad> {
        let s = self.str()?;
        crate::domain::time::parse_rfc3339(s)
            .map_err(|e| self.bad(format!("\"{}\" is not an RFC 3339 time ({e})", short(s))))
    }
}

/// A value cut for a message.
pub fn short(s: &str) -> String {
    crate::domain::text::shorten(s, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_path_and_what_was_found() {
        let v: Value = serde_json::from_str(r#"{"a":[{"n":-3},{"n":1.5},{"n":"x"}]}"#).unwrap();
        let root = At::root(&v);
        let a = root.field("a").unwrap();
        let items = a.at().items().unwrap();
        let n0 = items[0].at().field("n").unwrap();
        assert_eq!(
            n0.at().u32().unwrap_err().to_string(),
            "$.a[0].n: must not be negative, found -3"
        );
        let n1 = items[1].at().field("n").unwrap();
        assert_eq!(
            n1.at().u32().unwrap_err().to_string(),
            "$.a[1].n: expected a whole number, found 1.5"
        );
        let n2 = items[2].at().field("n").unwrap();
        assert_eq!(
            n2.at().u32().unwrap_err().to_string(),
            "$.a[2].n: expected a whole number, found a string"
        );
        assert_eq!(
            root.field("b").err().unwrap().to_string(),
            "$: the field \"b\" is missing"
        );
        assert_eq!(
            a.at().field("x").err().unwrap().to_string(),
            "$.a: expected an object, found an array"
        );
    }
}
