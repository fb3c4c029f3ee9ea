//! Messages to the user: errors, warnings and confirmations, shown in a
//! live region so screen readers announce them too.

use leptos::prelude::*;

/// How long a confirmation stays on screen; warnings and errors stay until dismissed.
const INFO_LIFETIME: std::time::Duration = std::time::Duration::from_secs(6);

/// How serious a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something worked.
    Info,
    /// Something works only in part (storage unavailable, say).
    Warning,
    /// Something failed and nothing was changed.
    Error,
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    id: u64,
    level: Level,
    text: String,
}

/// The notices context: push messages from anywhere in the UI.
#[derive(Clone, Copy)]
pub struct Notices {
    list: RwSignal<Vec<Notice>>,
    next: StoredValue<u64>,
}

impl Notices {
    /// A new, empty set of notices.
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
        }
    }

    /// Shows a message; returns its id.
    pub fn push(&self, level: Level, text: impl Into<String>) -> u64 {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let text = text.into();
        self.list.update(|l| {
            // The same message twice in a row is shown once.
            l.retain(|n| n.text != text);
            l.push(Notice { id, level, text });
            if l.len() > 5 {
                l.remove(0);
            }
        });
        id
    }

    /// Shows an error.
    pub fn error(&self, text: impl Into<String>) {
        self.push(Level::Error, text);
    }

    /// Shows a confirmation, which goes away by itself after a few seconds.
    pub fn info(&self, text: impl Into<String>) {
        let id = self.push(Level::Info, text);
        let this = *self;
        set_timeout(move || this.dismiss(id), INFO_LIFETIME);
    }

    /// Removes a message.
    pub fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|n| n.id != id));
    }
}

impl Default for Notices {
    fn default() -> Self {
        Self::new()
    }
}

/// The notice area.
#[component]
pub fn NoticeArea() -> impl IntoView {
    let notices = expect_context::<Notices>();
    view! {
        <div class="notices" role="status" aria-live="polite">
            <For each=move || notices.list.get() key=|n| n.id let:n>
                <div
                    class="notice"
                    data-testid="notice"
                    data-level=match n.level {
                        Level::Info => "info",
                        Level::Warning => "warning",
                        Level::Error => "error",
                    }
                >
                    <span class="notice-text">{n.text.clone()}</span>
                    <button
                        class="notice-close"
                        aria-label="Dismiss message"
                        on:click=move |_| notices.dismiss(n.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
