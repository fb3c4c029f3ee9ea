//! The server over HTTP: the protocol's calls with `fetch`, JSON both ways
//! (`Accept` and `Content-Type: application/json`; a server otherwise
//! answers some calls in multipart), Basic authentication sent to the
//! configured database's origin only, never a cookie. Also the checks made
//! on connecting, each failure with what to do about it.

use super::{ChangeRow, Changes, Remote, SyncError};
use js_sys::{Array, Promise};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = "
export async function couch_fetch(method, url, auth, body, timeout_ms) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined && body !== null) headers['Content-Type'] = 'application/json';
  if (auth) headers['Authorization'] = auth;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout_ms);
  try {
    const res = await fetch(url, { method, headers, body: body ?? undefined, signal: ctl.signal, credentials: 'omit', cache: 'no-store', redirect: 'error' });
    return [res.status, await res.text()];
  } catch (e) {
    return [0, (e && e.name) || 'error'];
  } finally {
    clearTimeout(timer);
  }
}
export async function couch_reachable(url) {
  try { await fetch(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' }); return true; }
  catch (_) { return false; }
}
")]
extern "C" {
    fn couch_fetch(method: &str, url: &str, auth: &str, body: JsValue, timeout_ms: u32) -> Promise;
    fn couch_reachable(url: &str) -> Promise;
}

/// How long one call may take (a long page of changes included).
const TIMEOUT_MS: u32 = 60_000;

/// A database on a server.
#[derive(Clone, Debug)]
pub struct HttpRemote {
    /// The database URL, without a trailing slash.
    db: String,
    /// `Basic …`, or empty.
    auth: String,
}

/// Why a database URL is refused before anything is sent.
pub fn check_url(url: &str) -> Result<(String, String), String> {
    let url = url.trim().trim_end_matches('/');
    let Ok(parsed) = web_sys::Url::new(url) else {
        return Err("That is not a web address: give the database's full URL, such as https://couch.example.org/marginalia.".into());
    };
    let host = parsed.hostname();
    let local = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    match parsed.protocol().as_str() {
        "https:" => {}
        "http:" if local => {}
        "http:" => return Err("The address must start with https:// (plain http is allowed only for localhost and 127.0.0.1), so that your password and notes are not sent in the clear.".into()),
        _ => return Err("The address must start with https://.".into()),
    }
    if !parsed.username().is_empty() || !parsed.password().is_empty() {
        return Err(
            "Put the user name and password in their own fields, not in the address.".into(),
        );
    }
    let path = parsed.pathname();
    let db = path.trim_matches('/');
    if db.is_empty() || db.contains('/') {
        return Err("The address must end with the database's name, such as …/marginalia.".into());
    }
    Ok((url.to_owned(), parsed.origin()))
}

/// The `Authorization` value for a user and password (none when no user).
pub fn basic_auth(user: &str, password: &str) -> String {
    if user.is_empty() {
        return String::new();
    }
    let raw = format!("{user}:{password}");
    let b64 = web_sys::window()
        .and_then(|w| {
            // btoa needs Latin-1: encode UTF-8 bytes first.
            let bytes: String = raw.bytes().map(char::from).collect();
            w.btoa(&bytes).ok()
        })
        .unwrap_or_default();
    format!("Basic {b64}")
}

fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s)
        .as_string()
        .unwrap_or_default()
}

impl HttpRemote {
    /// A remote for database `db` (a checked URL) with this authorization.
    pub fn new(db: String, auth: String) -> Self {
        Self { db, auth }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), SyncError> {
        let url = format!("{}{path}", self.db);
        self.call_url(method, &url, body).await
    }

    async fn call_url(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), SyncError> {
        self.call_within(method, url, body, TIMEOUT_MS).await
    }

    async fn call_within(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        timeout_ms: u32,
    ) -> Result<(u16, Value), SyncError> {
        let body = body.map_or(JsValue::NULL, |b| JsValue::from_str(&b.to_string()));
        let got = JsFuture::from(couch_fetch(method, url, &self.auth, body, timeout_ms))
            .await
            .map_err(|_| SyncError::Unreachable("the request failed".into()))?;
        let pair: Array = got.unchecked_into();
        let status = pair.get(0).as_f64().unwrap_or(0.0) as u16;
        let text = pair.get(1).as_string().unwrap_or_default();
        if status == 0 {
            return Err(SyncError::Unreachable(text));
        }
        let value: Value = serde_json::from_str(&text).map_err(|_| {
            SyncError::NotCouch(format!(
                "the answer to {method} was not JSON (status {status})"
            ))
        })?;
        match status {
            401 | 403 => Err(SyncError::Refused(
                value["reason"].as_str().unwrap_or("not allowed").to_owned(),
            )),
            404 if value["reason"].as_str() != Some("missing")
                && value["reason"].as_str() != Some("deleted") =>
            {
                Err(SyncError::NoDatabase)
            }
            _ => Ok((status, value)),
        }
    }

    /// Waits for a change after `since` with the long-poll change feed
    /// (`feed=longpoll`), at most `wait_ms`: whether one came.
    pub async fn wait_for_change(&self, since: &Value, wait_ms: u32) -> Result<bool, SyncError> {
        let since = match since {
            Value::String(s) => enc(s),
            other => enc(&other.to_string()),
        };
        let url = format!(
            "{}/_changes?feed=longpoll&since={since}&limit=1&timeout={wait_ms}",
            self.db
        );
        let (_, v) = self
            .call_within("GET", &url, None, wait_ms + 15_000)
            .await?;
        Ok(v["results"].as_array().is_some_and(|r| !r.is_empty()))
    }

    /// Checks the server and the database, as connecting does: each
    /// failure says what to do. `Ok(false)` when the database is missing.
    pub async fn check(&self) -> Result<bool, String> {
        let origin = web_sys::Url::new(&self.db)
            .map(|u| u.origin())
            .unwrap_or_default();
        let root = self.call_url("GET", &format!("{origin}/"), None).await;
        match root {
            Err(SyncError::Unreachable(_)) => {
                let up = JsFuture::from(couch_reachable(&format!("{origin}/")))
                    .await
                    .ok()
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                return Err(if up {
                    format!(
                        "The server at {origin} answers, but does not let this page read its answers: CORS is not set up. Enable CORS on the server and allow the origin {} (with credentials, and the Authorization and Content-Type headers).",
                        page_origin()
                    )
                } else {
                    format!(
                        "No server answers at {origin}. Check the address, and that the server is running and reachable from this device."
                    )
                });
            }
            Err(SyncError::Refused(why)) => {
                return Err(format!(
                    "The server refused the user name or password ({why})."
                ));
            }
            Err(SyncError::NotCouch(why)) => {
                return Err(format!(
                    "The server at {origin} does not look like CouchDB ({why})."
                ));
            }
            Err(e) => return Err(e.to_string()),
            Ok((_, v)) => {
                if v.get("couchdb").is_none() && v.get("express-pouchdb").is_none() {
                    return Err(format!(
                        "The server at {origin} answers, but not as a CouchDB-compatible server does."
                    ));
                }
            }
        }
        match self.call("GET", "", None).await {
            Ok((200, v)) if v.get("db_name").is_some() || v.get("update_seq").is_some() => Ok(true),
            Ok((s, _)) => Err(format!(
                "The database answered with status {s}, not as a CouchDB database does."
            )),
            Err(SyncError::NoDatabase) => Ok(false),
            Err(SyncError::Refused(why)) => Err(format!(
                "The server refused access to the database ({why}). Check the user name and password, and that this user may use the database."
            )),
            Err(e) => Err(format!("The database could not be reached: {e}.")),
        }
    }

    /// Creates the database.
    pub async fn create(&self) -> Result<(), String> {
        match self.call("PUT", "", None).await {
            Ok((201 | 202 | 412, _)) => Ok(()),
            Ok((s, v)) => Err(format!(
                "The database could not be created (status {s}: {}).",
                v["reason"].as_str().unwrap_or("no reason given")
            )),
            Err(e) => Err(format!("The database could not be created: {e}.")),
        }
    }
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn bad(what: &str) -> SyncError {
    SyncError::NotCouch(format!("an unexpected answer to {what}"))
}

impl Remote for HttpRemote {
    async fn changes(&self, since: &Value, limit: usize) -> Result<Changes, SyncError> {
        let since = match since {
            Value::String(s) => enc(s),
            other => enc(&other.to_string()),
        };
        let (_, v) = self
            .call(
                "GET",
                &format!(
                    "/_changes?style=all_docs&since={since}&limit={limit}&seq_interval={limit}"
                ),
                None,
            )
            .await?;
        let rows = v["results"].as_array().ok_or_else(|| bad("_changes"))?;
        Ok(Changes {
            rows: rows
                .iter()
                .filter_map(|r| {
                    Some(ChangeRow {
                        id: r["id"].as_str()?.to_owned(),
                        revs: r["changes"]
                            .as_array()?
                            .iter()
                            .filter_map(|c| Some(c["rev"].as_str()?.to_owned()))
                            .collect(),
                    })
                })
                .filter(|r| !r.id.starts_with("_design/"))
                .collect(),
            last_seq: v["last_seq"].clone(),
        })
    }

    async fn revs_diff(
        &self,
        revs: &BTreeMap<String, Vec<String>>,
    ) -> Result<BTreeMap<String, Vec<String>>, SyncError> {
        let (_, v) = self.call("POST", "/_revs_diff", Some(&json!(revs))).await?;
        let o = v.as_object().ok_or_else(|| bad("_revs_diff"))?;
        Ok(o.iter()
            .map(|(id, d)| {
                let missing = d["missing"]
                    .as_array()
                    .map(|m| {
                        m.iter()
                            .filter_map(|r| r.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                (id.clone(), missing)
            })
            .collect())
    }

    async fn bulk_docs(&self, docs: &[Value]) -> Result<Vec<(String, String)>, SyncError> {
        let (status, v) = self
            .call(
                "POST",
                "/_bulk_docs",
                Some(&json!({"new_edits": false, "docs": docs})),
            )
            .await?;
        if !(200..300).contains(&status) {
            return Err(SyncError::NotCouch(format!(
                "the server refused the documents (status {status}: {})",
                v["reason"].as_str().unwrap_or("no reason given")
            )));
        }
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e.get("error").is_some())
                    .map(|e| {
                        (
                            e["id"].as_str().unwrap_or_default().to_owned(),
                            format!(
                                "{}: {}",
                                e["error"].as_str().unwrap_or("error"),
                                e["reason"].as_str().unwrap_or("")
                            ),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn bulk_get(
        &self,
        wanted: &[(String, String)],
    ) -> Result<Vec<Result<Value, String>>, SyncError> {
        let body = json!({"docs": wanted.iter().map(|(id, rev)| json!({"id": id, "rev": rev})).collect::<Vec<_>>()});
        let (_, v) = self
            .call("POST", "/_bulk_get?revs=true", Some(&body))
            .await?;
        let results = v["results"].as_array().ok_or_else(|| bad("_bulk_get"))?;
        if results.len() != wanted.len() {
            return Err(bad("_bulk_get (not one result per document asked for)"));
        }
        Ok(results
            .iter()
            .map(|r| match r["docs"].get(0) {
                Some(d) if d.get("ok").is_some() => Ok(d["ok"].clone()),
                Some(d) => Err(d["error"]["error"]
                    .as_str()
                    .or(d["error"].as_str())
                    .unwrap_or("not readable")
                    .to_owned()),
                None => Err("not returned".into()),
            })
            .collect())
    }

    async fn get_local(&self, id: &str) -> Result<Option<Value>, SyncError> {
        match self
            .call("GET", &format!("/_local/{}", enc(id)), None)
            .await
        {
            Ok((200, v)) => Ok(Some(v)),
            Ok(_) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn put_local(&self, id: &str, doc: &Value) -> Result<String, SyncError> {
        let (status, v) = self
            .call("PUT", &format!("/_local/{}", enc(id)), Some(doc))
            .await?;
        match v["rev"].as_str() {
            Some(rev) if status < 300 => Ok(rev.to_owned()),
            _ => Err(SyncError::NotCouch(format!(
                "the checkpoint was not stored (status {status})"
            ))),
        }
    }
}
