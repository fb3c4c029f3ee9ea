//! The annotation panel: every annotation of the article in document
//! order, with filters by tag, colour and text, and tag colours.

use super::{Annot, SaveState};
use crate::domain::annotate::annotation::{Annotation, Colour, TargetKind};
use crate::domain::annotate::set::Filter;
use crate::domain::article::shorten;
use crate::domain::sync::conflict::{Conflict, Version};
use crate::ui::time;
use leptos::prelude::*;

/// Entries built at first, and added each time the list is scrolled near
/// its end (or "Show more" is pressed): the panel never builds thousands
/// of entries at once.
const PAGE: usize = 60;

/// Characters of a quote shown in the panel.
const QUOTE_CHARS: usize = 140;
/// Characters of a note shown in the panel.
const NOTE_CHARS: usize = 160;

/// The panel.
#[component]
pub fn Panel(
    /// Whether it is open on narrow screens (on wide ones it always shows).
    open: RwSignal<bool>,
) -> impl IntoView {
    let a = expect_context::<Annot>();
    let tag = RwSignal::new(String::new());
    let colour = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let filter = Memo::new(move |_| Filter {
        tag: Some(tag.get()).filter(|t| !t.is_empty()),
        colour: Colour::from_name(&colour.get()),
        text: text.get(),
    });
    let limit = RwSignal::new(PAGE);
    // A new filter starts from the top of its list.
    Effect::new(move |prev: Option<()>| {
        filter.track();
        if prev.is_some() {
            limit.set(PAGE);
        }
    });
    let data = Memo::new(move |_| filter.with(|f| a.entries(f, limit.get())));
    let more = move || data.with(|d| d.matching - d.shown.len());
    let show_more = move || {
        if more() > 0 {
            limit.update(|l| *l += PAGE);
        }
    };
    let tags = Memo::new(move |_| a.article_tags());
    let count = move || {
        let (matching, total) = data.with(|d| (d.matching, d.total));
        if filter.with(Filter::is_empty) {
            format!("{total} annotation{}", if total == 1 { "" } else { "s" })
        } else {
            format!("{matching} of {total} shown")
        }
    };
    view! {
        <aside
            class="panel"
            class:open=move || open.get()
            data-testid="annotation-panel"
            aria-labelledby="panel-title"
            on:scroll:target=move |ev| {
                let el = ev.target();
                if el.scroll_top() + el.client_height() + 600 > el.scroll_height() {
                    show_more();
                }
            }
        >
            <div class="panel-head">
                <h2 id="panel-title">"Annotations"</h2>
                <span class="save-state" data-testid="save-state" aria-live="polite">
                    {move || match a.save_state.get() {
                        SaveState::Saved => "Saved",
                        SaveState::Pending => "Saving…",
                        SaveState::Failed(_) => "Not saved: storage full",
                    }}
                </span>
                <button
                    class="quiet panel-close"
                    aria-label="Close the annotation panel"
                    on:click=move |_| open.set(false)
                >
                    "×"
                </button>
            </div>
            <div class="filters" role="search" aria-label="Filter annotations">
                <label>
                    <span class="sr-only">"Filter by tag"</span>
                    <select
                        data-testid="filter-tag"
                        aria-label="Filter by tag"
                        on:change=move |ev| tag.set(event_target_value(&ev))
                        prop:value=move || tag.get()
                    >
                        <option value="">"All tags"</option>
                        {move || {
                            tags.get()
                                .into_iter()
                                .map(|t| view! { <option value=t.clone()>{t.clone()}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label>
                    <span class="sr-only">"Filter by colour"</span>
                    <select
                        data-testid="filter-colour"
                        aria-label="Filter by colour"
                        on:change=move |ev| colour.set(event_target_value(&ev))
                        prop:value=move || colour.get()
                    >
                        <option value="">"All colours"</option>
                        {Colour::ALL
                            .into_iter()
                            .map(|c| view! { <option value=c.name()>{c.name()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <input
                    type="search"
                    data-testid="filter-text"
                    aria-label="Filter by text in quotes and notes"
                    placeholder="Search quotes and notes"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <p class="filter-count" data-testid="filter-count" aria-live="polite">
                    {count}
                </p>
            </div>
            <ol class="entries">
                <For
                    each=move || {
                        let tc = a.tag_colours.get();
                        data.get()
                            .shown
                            .into_iter()
                            .map(|x| {
                                let colour = tc.effective(&x);
                                let conflict = a.conflict(&x.id);
                                (x, colour, conflict)
                            })
                            .collect::<Vec<_>>()
                    }
                    key=|(x, colour, c): &(Annotation, Colour, Option<Conflict>)| {
                        (x.id.clone(), x.updated, *colour, c.as_ref().map(|c| c.versions.len()))
                    }
                    children=move |(x, colour, conflict)| view! { <Entry annotation=x colour conflict /> }
                />
            </ol>
            // Built once while there is more to show: only its text follows
            // the count (an edit would otherwise build the button anew).
            <Show when=move || { more() > 0 }>
                <button class="quiet panel-more" data-testid="panel-more" on:click=move |_| show_more()>
                    {move || format!("Show more ({} not shown)", more())}
                </button>
            </Show>
            {move || {
                data.with(|d| d.total == 0)
                    .then(|| {
                        view! {
                            <p class="empty">
                                "No annotations yet. Click a sentence and press h, or press ? for all shortcuts."
                            </p>
                        }
                    })
            }}
            <Unanchored />
            <ConflictsWithoutAnnotation />
            <TagColoursEditor tags />
        </aside>
    }
}

/// One annotation in the list, in the colour it shows (its own, or its
/// tag's). Nothing in it is reactive: an edit, or a new colour for one of
/// its tags, changes its key in the list, which builds it anew.
#[component]
fn Entry(annotation: Annotation, colour: Colour, conflict: Option<Conflict>) -> impl IntoView {
    let a = expect_context::<Annot>();
    let quote = shorten(&annotation.target.quote.exact, QUOTE_CHARS);
    let note = (!annotation.note.trim().is_empty()).then(|| shorten(&annotation.note, NOTE_CHARS));
    let when = format!(
        "{} {}",
        time::local_date(annotation.updated),
        time::local_time(annotation.updated)
    );
    let exact = if annotation.target.kind == TargetKind::Span {
        "Exact "
    } else {
        ""
    };
    let for_click = annotation.clone();
    let id = annotation.id.clone();
    view! {
        <li class="entry" data-testid="annotation-item" data-annotation-id=annotation.id.clone() data-colour=colour.name()>
            <button class="entry-main" on:click=move |_| a.reveal(&for_click)>
                <span class="entry-colour">
                    <span class="dot" data-colour=colour.name() aria-hidden="true"></span>
                    <span class="sr-only">{exact}</span>
                    {colour.name()}
                    <span class="sr-only">" highlight:"</span>
                </span>
                <q class="entry-quote">{quote}</q>
                {note.map(|n| view! { <span class="entry-note" data-testid="entry-note">{n}</span> })}
            </button>
            <div class="entry-foot">
                {(!annotation.tags.is_empty())
                    .then(|| {
                        view! {
                            <ul class="tag-chips" aria-label="Tags">
                                {annotation
                                    .tags
                                    .iter()
                                    .map(|t| view! { <li class="tag-chip" data-testid="entry-tag">{t.clone()}</li> })
                                    .collect_view()}
                            </ul>
                        }
                    })}
                <time datetime=crate::domain::time::format_rfc3339(&annotation.updated)>{when}</time>
                <button
                    class="quiet entry-delete"
                    aria-label="Delete this annotation"
                    title="Delete"
                    on:click=move |_| a.delete(&id)
                >
                    "Delete"
                </button>
            </div>
            {conflict.map(|c| view! { <ConflictView conflict=c kept=true /> })}
        </li>
    }
}

/// What one lost version held, in words.
fn describe_version(v: &Version) -> String {
    match v {
        Version::Live(x) => {
            let mut parts = vec![format!("{} highlight", x.colour.name())];
            if !x.tags.is_empty() {
                parts.push(format!("tags: {}", x.tags.join(", ")));
            }
            if !x.note.trim().is_empty() {
                parts.push(format!("note: “{}”", shorten(&x.note, NOTE_CHARS)));
            }
            parts.push(format!(
                "changed {} {}",
                time::local_date(x.updated),
                time::local_time(x.updated)
            ));
            parts.join(" · ")
        }
        Version::Deleted(at) => format!(
            "Deleted on {} {}",
            time::local_date(*at),
            time::local_time(*at)
        ),
    }
}

/// A conflict's marker, and the versions that lost, each restorable;
/// `kept`: the annotation shown is the version kept (otherwise it was
/// deleted).
#[component]
fn ConflictView(conflict: Conflict, kept: bool) -> impl IntoView {
    let a = expect_context::<Annot>();
    let id = conflict.id.clone();
    let dismiss_id = id.clone();
    view! {
        <details class="entry-conflict" data-testid="conflict-marker" data-annotation-id=id.clone()>
            <summary>"Changed on two devices"</summary>
            <p class="hint">
                {if kept {
                    "The newest change is shown. The other version:"
                } else {
                    "The deletion was the newest change. The other version:"
                }}
            </p>
            <ul class="conflict-versions">
                {conflict
                    .versions
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let id = id.clone();
                        let what = describe_version(v);
                        view! {
                            <li data-testid="conflict-version">
                                <span>{what.clone()}</span>
                                <button
                                    data-testid="conflict-restore"
                                    aria-label=format!("Restore this version: {what}")
                                    on:click=move |_| a.restore_conflict(&id, k)
                                >
                                    "Restore"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <button
                class="quiet"
                data-testid="conflict-dismiss"
                on:click=move |_| a.dismiss_conflict(&dismiss_id)
            >
                {if kept { "Keep the version shown" } else { "Keep it deleted" }}
            </button>
        </details>
    }
}

/// Conflicts on annotations that are not shown: deleted on one device,
/// changed on another, the deletion the newest.
#[component]
fn ConflictsWithoutAnnotation() -> impl IntoView {
    let a = expect_context::<Annot>();
    let gone = Memo::new(move |_| a.conflicts_without_annotation());
    view! {
        <Show when=move || gone.with(|g| !g.is_empty())>
            <section class="unanchored" data-testid="conflicts-deleted" aria-labelledby="conflicts-title">
                <h3 id="conflicts-title">
                    {move || format!("Deleted on another device ({})", gone.with(Vec::len))}
                </h3>
                <ol class="entries">
                    <For
                        each=move || gone.get()
                        key=|c: &Conflict| (c.id.clone(), c.versions.len())
                        children=move |c| view! {
                            <li class="entry orphan" data-testid="conflict-item" data-annotation-id=c.id.clone()>
                                <q class="entry-quote">{c.versions.iter().find_map(|v| match v {
                                    Version::Live(x) => Some(shorten(&x.target.quote.exact, QUOTE_CHARS)),
                                    Version::Deleted(_) => None,
                                })}</q>
                                <ConflictView conflict=c.clone() kept=false />
                            </li>
                        }
                    />
                </ol>
            </section>
        </Show>
    }
}

/// Orphans: annotations whose text was not found in this version of the
/// article. Each can be attached to the selected text by hand, or deleted;
/// none is ever placed on a guess.
#[component]
fn Unanchored() -> impl IntoView {
    let a = expect_context::<Annot>();
    let orphans = Memo::new(move |_| a.orphans());
    view! {
        <Show when=move || orphans.with(|o| !o.is_empty())>
            <section class="unanchored" data-testid="unanchored" aria-labelledby="unanchored-title">
                <h3 id="unanchored-title">
                    {move || format!("Unanchored ({})", orphans.with(Vec::len))}
                </h3>
                <p class="hint">
                    "Their text was not found in this version of the article. Select where one belongs and press Attach, or delete it."
                </p>
                <ol class="entries">
                    <For
                        each=move || orphans.get()
                        key=|x: &Annotation| (x.id.clone(), x.updated)
                        children=move |x| {
                            let id = x.id.clone();
                            let id2 = x.id.clone();
                            let quote = shorten(&x.target.quote.exact, QUOTE_CHARS);
                            let note = (!x.note.trim().is_empty()).then(|| shorten(&x.note, NOTE_CHARS));
                            view! {
                                <li class="entry orphan" data-testid="orphan-item" data-annotation-id=x.id.clone()>
                                    <q class="entry-quote">{quote.clone()}</q>
                                    {note.map(|n| view! { <span class="entry-note">{n}</span> })}
                                    {(!x.tags.is_empty()).then(|| view! {
                                        <span class="tag-chip">{x.tags.join(", ")}</span>
                                    })}
                                    <div class="entry-foot">
                                        <button
                                            data-testid="attach-orphan"
                                            aria-label=format!("Attach “{quote}” to the selected text")
                                            on:click=move |_| a.attach(&id)
                                        >
                                            "Attach to selection"
                                        </button>
                                        <button
                                            class="quiet"
                                            data-testid="delete-orphan"
                                            aria-label=format!("Delete the unanchored annotation “{quote}”")
                                            on:click=move |_| a.delete(&id2)
                                        >
                                            "Delete"
                                        </button>
                                    </div>
                                </li>
                            }
                        }
                    />
                </ol>
            </section>
        </Show>
    }
}

/// Colours for tags: a tag's colour colours everything tagged with it.
#[component]
fn TagColoursEditor(tags: Memo<Vec<String>>) -> impl IntoView {
    let a = expect_context::<Annot>();
    view! {
        <Show when=move || tags.with(|t| !t.is_empty())>
            <details class="tag-colours">
                <summary>"Tag colours"</summary>
                <ul>
                    {move || {
                        tags.get()
                            .into_iter()
                            .map(|t| {
                                let current = a
                                    .tag_colours
                                    .with(|tc| tc.get(&t).map(|c| c.name()).unwrap_or(""));
                                let t2 = t.clone();
                                view! {
                                    <li>
                                        <label>
                                            <span class="tag-chip">{t.clone()}</span>
                                            <select
                                                data-testid="tag-colour"
                                                aria-label=format!("Colour for tag {t}")
                                                prop:value=current
                                                on:change=move |ev| {
                                                    a.set_tag_colour(&t2, Colour::from_name(&event_target_value(&ev)))
                                                }
                                            >
                                                <option value="">"its own colours"</option>
                                                {Colour::ALL
                                                    .into_iter()
                                                    .map(|c| view! { <option value=c.name()>{c.name()}</option> })
                                                    .collect_view()}
                                            </select>
                                        </label>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </details>
        </Show>
    }
}
