//! The tag manager (`#/tags`): every tag with its statistics (annotations,
//! articles, first and last use) and its colour; rename (onto an existing
//! name merges the two), merge several, recolour, delete (after a
//! confirmation), each across the library in one all-or-nothing step
//! (`storage::retag`), with undo. Other tabs see the rewritten records as
//! `storage` events (an open reader merges them), and this page follows
//! theirs.

use super::context::LibraryCtx;
use super::notices::Notices;
use super::time;
use crate::domain::annotate::annotation::Colour;
use crate::domain::annotate::retag::{TagOp, TagStats};
use crate::domain::annotate::set::TagColours;
use crate::storage::retag::Retagged;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// What the last operation did, to show and undo.
#[derive(Clone)]
struct Done {
    said: String,
    retagged: Retagged,
}

/// The state the rows share.
#[derive(Clone, Copy)]
struct Manager {
    lib: LibraryCtx,
    notices: Notices,
    stats: RwSignal<Vec<TagStats>>,
    colours: RwSignal<TagColours>,
    selected: RwSignal<BTreeSet<String>>,
    done: RwSignal<Option<Done>, LocalStorage>,
}

impl Manager {
    fn refresh(self) {
        self.stats.set(self.lib.tag_stats());
        self.colours.set(self.lib.tag_colours());
        let keys: BTreeSet<String> = self
            .stats
            .with_untracked(|s| s.iter().map(|t| t.key.clone()).collect());
        self.selected.update(|sel| sel.retain(|k| keys.contains(k)));
    }

    /// Runs `op`, says what it did, and keeps it for undo.
    fn run(self, op: TagOp, what: impl Fn(&Retagged) -> String) -> bool {
        match self.lib.retag(&op) {
            Ok(r) if r.is_empty() => {
                self.notices
                    .info("Nothing to change: no annotation has that tag.");
                self.refresh();
                true
            }
            Ok(r) => {
                let mut said = what(&r);
                if r.skipped > 0 {
                    said.push_str(&format!(
                        " {} unreadable annotation{} left as {}.",
                        r.skipped,
                        if r.skipped == 1 { " was" } else { "s were" },
                        if r.skipped == 1 {
                            "it was"
                        } else {
                            "they were"
                        }
                    ));
                }
                self.done.set(Some(Done { said, retagged: r }));
                self.refresh();
                true
            }
            Err(e) => {
                self.notices.error(format!("Nothing was changed. {e}"));
                false
            }
        }
    }

    fn undo(self) {
        let Some(done) = self.done.get_untracked() else {
            return;
        };
        match self.lib.undo_retag(&done.retagged) {
            Ok(out) => {
                let mut msg = format!(
                    "Undone: {} annotation{} got {} old tags back.",
                    out.restored,
                    if out.restored == 1 { "" } else { "s" },
                    if out.restored == 1 { "its" } else { "their" }
                );
                if out.edited + out.gone > 0 {
                    msg.push_str(&format!(
                        " {} changed or deleted since were left as they are.",
                        out.edited + out.gone
                    ));
                }
                self.notices.info(msg);
                self.done.set(None);
                self.refresh();
            }
            Err(e) => self
                .notices
                .error(format!("The undo failed, and nothing was changed: {e}")),
        }
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// The tag manager page.
#[component]
pub fn TagsPage() -> impl IntoView {
    let lib = expect_context::<LibraryCtx>();
    let notices = expect_context::<Notices>();
    let m = Manager {
        lib,
        notices,
        stats: RwSignal::new(lib.tag_stats()),
        colours: RwSignal::new(lib.tag_colours()),
        selected: RwSignal::new(BTreeSet::new()),
        done: RwSignal::new_local(None),
    };
    // Other tabs' edits: read again, once per burst of events.
    let queued = StoredValue::new(false);
    let h = window_event_listener(leptos::ev::storage, move |ev| {
        let relevant = ev.key().is_none_or(|k| {
            k.starts_with(crate::storage::repo::LIVE_PREFIX)
                || k == crate::storage::repo::TAG_COLOURS_KEY
        });
        if relevant && !queued.get_value() {
            queued.set_value(true);
            set_timeout(
                move || {
                    if !m.stats.is_disposed() {
                        queued.set_value(false);
                        m.refresh();
                    }
                },
                std::time::Duration::from_millis(150),
            );
        }
    });
    on_cleanup(move || h.remove());
    let merge_into = RwSignal::new(String::new());
    // The merge target starts as the most used of the selected tags.
    Effect::new(move |_| {
        let sel = m.selected.get();
        let first = m.stats.with_untracked(|s| {
            s.iter()
                .find(|t| sel.contains(&t.key))
                .map(|t| t.tag.clone())
        });
        merge_into.set(first.unwrap_or_default());
    });
    let merge = move || {
        let sel = m.selected.get_untracked();
        let from: Vec<String> = m.stats.with_untracked(|s| {
            s.iter()
                .filter(|t| sel.contains(&t.key))
                .map(|t| t.tag.clone())
                .collect()
        });
        let into = merge_into.get_untracked();
        let n = from.len();
        if m.run(
            TagOp::Merge {
                from,
                into: into.clone(),
            },
            |r| {
                format!(
                    "Merged {} tags into “{}”: {} in {} changed.",
                    n,
                    into.trim(),
                    plural(r.annotations, "annotation"),
                    plural(r.articles, "article")
                )
            },
        ) {
            m.selected.set(BTreeSet::new());
        }
    };
    view! {
        <section class="tags-page library-page" data-testid="tags-page" aria-labelledby="tags-heading">
            <div class="library-head">
                <h1 id="tags-heading">
                    "Tags "
                    <span class="count">{move || plural(m.stats.with(Vec::len), "tag")}</span>
                </h1>
            </div>
            <p class="hint">
                "Renaming a tag to a name already in use merges the two. Every change applies to the whole library at once, and can be undone."
            </p>
            {move || m.done.get().map(|d| view! {
                <p class="tag-done" data-testid="tag-done" role="status">
                    {d.said}
                    " "
                    <button data-testid="tag-undo" on:click=move |_| m.undo()>"Undo"</button>
                </p>
            })}
            {move || (m.selected.with(BTreeSet::len) >= 2).then(|| view! {
                <div class="tag-merge" role="group" aria-label="Merge the selected tags">
                    <label>
                        {move || format!("Merge {} selected tags into ", m.selected.with(BTreeSet::len))}
                        <input
                            data-testid="tag-merge-input"
                            prop:value=move || merge_into.get()
                            on:input=move |ev| merge_into.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" { merge() }
                        />
                    </label>
                    <button class="primary" data-testid="tag-merge" on:click=move |_| merge()>"Merge"</button>
                </div>
            })}
            {move || m.stats.with(Vec::is_empty).then(|| view! {
                <p class="empty">"No tags yet. Select a sentence in an article and press t to tag it."</p>
            })}
            <div class="tag-table-wrap" tabindex="0" role="region" aria-label="All tags">
                <table class="tag-table" hidden=move || m.stats.with(Vec::is_empty)>
                    <thead>
                        <tr>
                            <th scope="col"><span class="sr-only">"Select"</span></th>
                            <th scope="col">"Tag"</th>
                            <th scope="col" class="num">"Annotations"</th>
                            <th scope="col" class="num">"Articles"</th>
                            <th scope="col">"First used"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col">"Colour"</th>
                            <th scope="col"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || m.stats.get()
                            key=|t| (t.key.clone(), t.tag.clone(), t.annotations, t.articles, t.last_used)
                            let:stat
                        >
                            <TagRow stat m />
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// One tag: its statistics, colour, and rename and delete.
#[component]
fn TagRow(stat: TagStats, m: Manager) -> impl IntoView {
    let renaming = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let name = RwSignal::new(stat.tag.clone());
    let key = stat.key.clone();
    let tag = stat.tag.clone();
    let rename = {
        let tag = tag.clone();
        move || {
            let to = name.get_untracked();
            let from = tag.clone();
            let shown = to.trim().to_owned();
            if m.run(
                TagOp::Rename {
                    from: from.clone(),
                    to,
                },
                |r| {
                    format!(
                        "Renamed “{from}” to “{shown}”: {} in {} changed.",
                        plural(r.annotations, "annotation"),
                        plural(r.articles, "article")
                    )
                },
            ) {
                renaming.set(false);
            }
        }
    };
    let delete = {
        let tag = tag.clone();
        move || {
            let t = tag.clone();
            m.run(TagOp::Delete { tag: t.clone() }, |r| {
                format!(
                    "Deleted the tag “{t}” from {} in {}; the annotations stay.",
                    plural(r.annotations, "annotation"),
                    plural(r.articles, "article")
                )
            });
        }
    };
    let colour_now = {
        let key = key.clone();
        move || {
            m.colours
                .with(|c| c.get(&key).map(|c| c.name()).unwrap_or(""))
        }
    };
    let recolour = {
        let key = key.clone();
        move |value: String| {
            let mut c = m.colours.get_untracked();
            c.set(&key, Colour::from_name(&value));
            match m.lib.save_tag_colours(&c) {
                Ok(()) => m.colours.set(c),
                Err(e) => m.notices.error(format!("The colour was not saved: {e}")),
            }
        }
    };
    let select_key = key.clone();
    let checked_key = key.clone();
    let label = format!("Select “{tag}”");
    let colour_label = format!("Colour for “{tag}”");
    let rename_label = format!("New name for “{tag}”");
    let n = stat.annotations;
    view! {
        <tr data-testid="tag-row" data-tag=tag.clone()>
            <td>
                <input
                    type="checkbox"
                    data-testid="tag-select"
                    aria-label=label
                    prop:checked=move || m.selected.with(|s| s.contains(&checked_key))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let k = select_key.clone();
                        m.selected.update(|s| {
                            if on { s.insert(k); } else { s.remove(&k); }
                        });
                    }
                />
            </td>
            <th scope="row" class="tag-name">
                {
                    let tag = tag.clone();
                    let rename = rename.clone();
                    move || if renaming.get() {
                        let rename = rename.clone();
                        view! {
                            <input
                                data-testid="tag-rename-input"
                                aria-label=rename_label.clone()
                                prop:value=move || name.get()
                                on:input=move |ev| name.set(event_target_value(&ev))
                                on:keydown=move |ev| match ev.key().as_str() {
                                    "Enter" => rename(),
                                    "Escape" => renaming.set(false),
                                    _ => {}
                                }
                            />
                        }
                        .into_any()
                    } else {
                        tag.clone().into_any()
                    }
                }
            </th>
            <td class="num" data-testid="tag-count">{stat.annotations}</td>
            <td class="num" data-testid="tag-articles">{stat.articles}</td>
            <td><time datetime=crate::domain::time::format_rfc3339(&stat.first_used)>{time::local_date(stat.first_used)}</time></td>
            <td><time datetime=crate::domain::time::format_rfc3339(&stat.last_used)>{time::local_date(stat.last_used)}</time></td>
            <td>
                <select
                    data-testid="tag-recolour"
                    aria-label=colour_label
                    prop:value=colour_now
                    on:change=move |ev| recolour(event_target_value(&ev))
                >
                    <option value="">"Own colours"</option>
                    {Colour::ALL.into_iter().map(|c| view! { <option value=c.name()>{c.name()}</option> }).collect_view()}
                </select>
            </td>
            <td><div class="tag-actions">
                {
                    let rename = rename.clone();
                    let tag = tag.clone();
                    move || if confirming.get() {
                        let delete = delete.clone();
                        view! {
                            <span class="confirm" role="group" aria-label="Confirm deletion">
                                {format!("Delete “{tag}” from {}? ", plural(n, "annotation"))}
                                <button class="danger" data-testid="tag-delete-confirm" on:click=move |_| delete()>"Delete tag"</button>
                                <button data-testid="tag-delete-cancel" on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </span>
                        }
                        .into_any()
                    } else if renaming.get() {
                        let rename = rename.clone();
                        view! {
                            <button class="primary" data-testid="tag-rename-apply" on:click=move |_| rename()>"Apply"</button>
                            <button data-testid="tag-rename-cancel" on:click=move |_| renaming.set(false)>"Cancel"</button>
                        }
                        .into_any()
                    } else {
                        view! {
                            <button data-testid="tag-rename" on:click=move |_| {
                                renaming.set(true);
                                request_animation_frame(|| {
                                    if let Some(el) = document().query_selector("[data-testid=\"tag-rename-input\"]").ok().flatten() {
                                        use wasm_bindgen::JsCast;
                                        if let Ok(el) = el.dyn_into::<web_sys::HtmlInputElement>() {
                                            let _ = el.focus();
                                            el.select();
                                        }
                                    }
                                });
                            }>"Rename"</button>
                            <button class="danger" data-testid="tag-delete" on:click=move |_| confirming.set(true)>"Delete"</button>
                        }
                        .into_any()
                    }
                }
            </div></td>
        </tr>
    }
}
