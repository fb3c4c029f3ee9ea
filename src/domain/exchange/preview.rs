//! The words of the import and replace previews: what a file will do to
//! the library, per article and in total, before anything is stored. Pure,
//! so the texts the dialog shows are tested natively.

use super::Format;
use super::restore::{Counts, Destination, Plan, Replacement};

/// "1 annotation", "2 annotations".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How annotations were found again, in words.
pub fn anchoring_words(c: &Counts) -> Option<String> {
    let mut parts = Vec::new();
    if c.kept > 0 {
        parts.push(format!("{} in place", c.kept));
    }
    if c.moved > 0 {
        parts.push(format!("{} moved with their text", c.moved));
    }
    if c.fuzzy > 0 {
        parts.push(format!("{} matched approximately", c.fuzzy));
    }
    if c.orphaned > 0 {
        parts.push(format!(
            "{} not found (listed under Unanchored)",
            c.orphaned
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn skipped_words(c: &Counts) -> Option<String> {
    let mut parts = Vec::new();
    if c.unchanged > 0 {
        parts.push(format!("{} already here", c.unchanged));
    }
    if c.older > 0 {
        parts.push(format!("{} older than the copy here", c.older));
    }
    if c.deleted_here > 0 {
        parts.push(format!("{} deleted here since", c.deleted_here));
    }
    if c.duplicates > 0 {
        parts.push(plural(c.duplicates, "duplicate", "duplicates"));
    }
    if c.missing > 0 {
        parts.push(format!("{} whose article is missing", c.missing));
    }
    (!parts.is_empty()).then(|| format!("skips {} ({})", c.skipped(), parts.join(", ")))
}

fn summary(c: &Counts) -> String {
    let mut parts = vec![format!(
        "adds {}",
        plural(c.added, "annotation", "annotations")
    )];
    if c.updated > 0 {
        parts.push(format!("updates {}", c.updated));
    }
    if let Some(s) = skipped_words(c) {
        parts.push(s);
    }
    let mut s = parts.join(", ");
    if let Some(first) = s.get(..1) {
        s = format!("{}{}", first.to_uppercase(), &s[1..]);
    }
    s
}

/// What the dialog shows, as text: one view renders both kinds.
/// What a preview dialog says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// The heading.
    pub title: String,
    /// What the file is, and that nothing is stored yet.
    pub hint: String,
    /// Notes on how the file was read (a byte order mark, UTF-16).
    pub notes: Vec<String>,
    /// What confirming does, in one sentence.
    pub summary: String,
    /// Article title and what happens to it.
    pub rows: Vec<(String, String)>,
    /// The confirm button's label.
    pub confirm: &'static str,
    /// Whether confirming would change nothing (the button is disabled).
    pub disabled: bool,
    /// Test ids of the summary, the confirm and the cancel button.
    pub ids: [&'static str; 3],
}

/// The preview of importing the file `name`, planned as `plan`.
pub fn import_preview(name: &str, plan: &Plan) -> Preview {
    let c = plan.totals();
    let format = match plan.format {
        Format::Marginalia => "Marginalia JSON",
        Format::W3c => "W3C Web Annotation JSON-LD",
    };
    let rows = plan
            .articles
            .iter()
            .map(|a| {
                let place = match &a.destination {
                    Destination::Library => "in your library",
                    Destination::Restore(_) => "restored from the file",
                    Destination::Reanchor(_) => "in your library with a different text: annotations re-anchored",
                    Destination::Missing => "not in your library, and the file has no text (export a complete backup to include it): skipped",
                };
                let none = a.counts.stored() + a.counts.skipped() + a.counts.orphaned == 0;
                let detail = if none {
                    "The file has no annotations for it".to_owned()
                } else {
                    [Some(summary(&a.counts)), anchoring_words(&a.counts)]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                (a.title.clone(), format!(" — {place}. {detail}."))
            })
            .collect();
    let mut summary = format!("{}.", summary(&c));
    match plan.restored().count() {
        0 => {}
        n => summary.push_str(&format!(" Restores {}.", plural(n, "article", "articles"))),
    }
    if plan.new_tag_colours > 0 {
        summary.push_str(&format!(
            " Adds {}.",
            plural(plan.new_tag_colours, "tag colour", "tag colours")
        ));
    }
    let nothing = !plan.changes_anything();
    Preview {
        title: format!("Import {name}"),
        hint: format!("{format}. Nothing is stored until you press Import."),
        notes: plan.notes.clone(),
        summary,
        rows,
        confirm: if nothing {
            "Nothing to import"
        } else {
            "Import"
        },
        disabled: nothing,
        ids: ["import-summary", "import-confirm", "import-cancel"],
    }
}

/// The preview of replacing an article by the file `name`.
pub fn replace_preview(name: &str, replacement: &Replacement) -> Preview {
    let found = anchoring_words(&replacement.counts)
        .unwrap_or_else(|| "There are no annotations to move".into());
    Preview {
            title: format!("Replace “{}” with {name}", replacement.article.title),
            hint: "The new text takes this article's place; its annotations are found again in it. Nothing changes until you press Replace.".into(),
            notes: Vec::new(),
            summary: format!(
                "{}: {found}.",
                plural(replacement.set.len(), "annotation", "annotations")
            ),
            rows: Vec::new(),
            confirm: "Replace",
            disabled: false,
            ids: ["replace-summary", "replace-confirm", "replace-cancel"],
        }
}
